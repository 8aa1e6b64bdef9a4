namespace WssKit.Cli.Bench;

internal static class ConnectScenario
{
    public static Task RunAsync(BenchContext context, BenchResult result, CancellationToken hardStop) => throw new NotImplementedException();
}
