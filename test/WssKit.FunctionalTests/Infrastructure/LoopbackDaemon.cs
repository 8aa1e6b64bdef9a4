using System.Diagnostics;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// A daemon we did not write (nginx, tinyproxy) run in the foreground with a configuration in a temporary directory,
/// listening on a loopback port; stopped, and its directory removed, when disposed.
/// </summary>
public abstract class LoopbackDaemon(Process process, TempDirectory directory, int port) : IAsyncDisposable
{
    public int Port => port;

    /// <summary>What the daemon said, for failure messages.</summary>
    public abstract string Log { get; }

    protected Process Process => process;

    protected string Directory => directory.Path;

    protected static Process Launch(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start) ?? throw new InvalidOperationException($"cannot start {command}");
    }

    /// <summary>Waits for the port to accept connections; otherwise stops the daemon and says what it logged.</summary>
    protected async Task EnsureListeningAsync()
    {
        if (!await LoopbackPort.WaitForListenerAsync(port, process))
        {
            var log = Log;
            await DisposeAsync();
            throw new InvalidOperationException($"{process.StartInfo.FileName} did not start on port {port}:\n{log}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        directory.Dispose();
        GC.SuppressFinalize(this);
    }
}
