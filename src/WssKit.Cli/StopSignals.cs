using System.Runtime.InteropServices;

namespace WssKit.Cli;

/// <summary>
/// Signals a long-running command answers: SIGTERM, SIGINT (Ctrl+C) and SIGQUIT stop it gracefully (a server drains,
/// a client closes its connection), a second one stops it at once; SIGHUP reloads (a server's certificates, as nginx
/// and Caddy do).
/// </summary>
internal static class StopSignals
{
    public static IDisposable Register(Action onStop, Action? onReload = null)
    {
        var stopping = 0;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref stopping) > 1)
            {
                Environment.Exit(128 + 2);
            }
            onStop();
        }
        var registrations = new List<PosixSignalRegistration>
        {
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop),
        };
        if (onReload is not null && !OperatingSystem.IsWindows())
        {
            registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                ThreadPool.QueueUserWorkItem(_ => onReload());
            }));
        }
        return new Registrations(registrations);
    }

    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
