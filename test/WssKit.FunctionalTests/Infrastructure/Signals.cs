using System.Diagnostics;
using System.Globalization;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>POSIX signals for child processes (Process.Kill only sends SIGKILL), sent with kill(1).</summary>
public static class Signals
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    public static void Send(int processId, int signal)
    {
        using var kill = Process.Start("kill", ["-s", signal.ToString(CultureInfo.InvariantCulture), processId.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -s {signal} {processId} failed with exit code {kill.ExitCode}");
        }
    }
}
