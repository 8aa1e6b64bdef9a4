namespace WssKit.Cli.Bench;

internal static class IdleScenario
{
    public static Task RunAsync(BenchContext context, BenchResult result, CancellationToken hardStop) => throw new NotImplementedException();
}
