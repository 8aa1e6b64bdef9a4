using WssKit.Client;

namespace WssKit.Cli.Bench;

/// <summary>Runs one scenario under its hard limit and turns the outcome into the report and the exit code.</summary>
internal static class BenchRunner
{
    public static async Task<int> RunAsync(CliConsole console, BenchSettings settings, WssClientOptions options, bool showProgress, bool json,
        CancellationToken cancellationToken)
    {
        var result = new BenchResult(settings);
        var context = new BenchContext(settings, new BenchConnector(settings.Url, options), new ProgressLine(console, showProgress));
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        hardStop.CancelAfter(settings.HardLimit);
        try
        {
            await (settings.Scenario switch
            {
                Scenario.Echo => EchoScenario.RunAsync(context, result, hardStop.Token),
                Scenario.Latency => LatencyScenario.RunAsync(context, result, hardStop.Token),
                Scenario.Connect => ConnectScenario.RunAsync(context, result, hardStop.Token),
                _ => IdleScenario.RunAsync(context, result, hardStop.Token),
            });
        }
        catch (WssConnectException e)
        {
            console.Fail($"cannot connect to {settings.Url}: {e.Message}");
            return (int)ExitCode.Failure;
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                console.Fail("interrupted: no figures");
                return (int)ExitCode.Failure;
            }
            console.Fail($"the run did not finish within its hard limit of {settings.HardLimit.TotalSeconds:0} s: the server stopped answering");
            return (int)ExitCode.Failure;
        }
        if (result.FailureCount > 0 && result.Completed == 0 && result.Opened == 0)
        {
            // Not one connection: that is the finding, in one line.
            console.Fail($"cannot connect to {settings.Url}: {result.Errors.FirstOrDefault()}");
            return (int)ExitCode.Failure;
        }
        result.CutShort = hardStop.IsCancellationRequested;
        if (result.CutShort)
        {
            result.AddError(cancellationToken.IsCancellationRequested
                ? "interrupted before the end"
                : $"stopped by the hard limit of {settings.HardLimit.TotalSeconds:0} s: the server stopped answering");
        }
        if (json)
        {
            BenchReport.WriteJson(console, result);
        }
        else
        {
            BenchReport.WriteTable(console, result);
        }
        return result.Ok ? (int)ExitCode.Success : (int)ExitCode.Failure;
    }
}
