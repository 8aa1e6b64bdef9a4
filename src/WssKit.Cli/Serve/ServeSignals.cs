using System.Runtime.InteropServices;

namespace WssKit.Cli.Serve;

/// <summary>
/// Signals a running server answers: SIGTERM, SIGINT (Ctrl+C) and SIGQUIT stop it gracefully, a second one stops it
/// at once; SIGHUP reloads the certificates, as nginx and Caddy do.
/// </summary>
internal static class ServeSignals
{
    public static IDisposable Register(Action onStop, Action onReload)
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
        if (!OperatingSystem.IsWindows())
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
