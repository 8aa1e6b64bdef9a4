using Microsoft.Extensions.Logging;
using WssKit.Server.Metrics;

namespace WssKit.Server.Tls;

/// <summary>
/// Counts failed TLS handshakes by reason. Kestrel reports them only as debug log events of its HTTPS middleware,
/// with the exception that says what went wrong; this provider receives exactly those events (whatever the
/// console's level) and sorts them into reasons an operator can act on.
/// </summary>
internal sealed class TlsFailureCounter(ServerMetrics metrics) : ILoggerProvider
{
    /// <summary>The log category of Kestrel's HTTPS middleware.</summary>
    public const string Category = "Microsoft.AspNetCore.Server.Kestrel.Https.Internal.HttpsConnectionMiddleware";

    public ILogger CreateLogger(string categoryName) => categoryName == Category ? new Counter(metrics) : NoLogger.Instance;

    public void Dispose()
    {
    }

    /// <summary>The reason for a handshake failure, from the exception chain's messages.</summary>
    internal static string Classify(Exception? exception) => Classify(string.Join(" | ", Chain(exception).Select(e => e.Message)));

    /// <summary>The reason for a handshake failure, from OpenSSL's or .NET's description of it.</summary>
    internal static string Classify(string description)
    {
        var text = description.ToLowerInvariant();
        return text switch
        {
            _ when text.Contains("unknown ca") || text.Contains("bad certificate") || text.Contains("certificate unknown")
                || text.Contains("certificate expired") || text.Contains("unsupported certificate") => "client-rejected-certificate",
            _ when text.Contains("unsupported protocol") || text.Contains("wrong version number") || text.Contains("no protocols available")
                || text.Contains("protocol version") => "protocol-version",
            _ when text.Contains("no shared cipher") || text.Contains("no suitable") || text.Contains("handshake failure") => "no-shared-cipher",
            _ when text.Contains("unexpected eof") || text.Contains("connection reset") => "client-closed",
            _ => "other",
        };
    }

    private static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }

    private sealed class Counter(ServerMetrics metrics) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            switch (eventId.Name)
            {
                case "AuthenticationFailed":
                    metrics.HandshakeFailed("tls", Classify(exception));
                    break;
                case "AuthenticationTimedOut":
                    metrics.HandshakeFailed("tls", "timeout");
                    break;
            }
        }
    }

    private sealed class NoLogger : ILogger
    {
        public static readonly NoLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
