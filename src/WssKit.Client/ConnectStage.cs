namespace WssKit.Client;

/// <summary>The stages of opening a WebSocket, in order: the vocabulary `wss check` uses too.</summary>
public enum ConnectStage
{
    /// <summary>Resolving the host name.</summary>
    Dns,
    /// <summary>Opening the TCP connection.</summary>
    Tcp,
    /// <summary>Asking an HTTP proxy to open a tunnel (CONNECT).</summary>
    Proxy,
    /// <summary>The TLS handshake and the certificate check.</summary>
    Tls,
    /// <summary>The HTTP upgrade to WebSocket.</summary>
    Upgrade,
}

/// <summary>Opening a WebSocket failed; <see cref="Stage"/> says where, the message says what and what to do.</summary>
public sealed class WssConnectException(ConnectStage stage, string message, Exception? innerException = null, int? statusCode = null)
    : Exception($"{stage.ToString().ToLowerInvariant()}: {message}", innerException)
{
    /// <summary>The stage that failed.</summary>
    public ConnectStage Stage { get; } = stage;

    /// <summary>The HTTP status of a refused upgrade.</summary>
    public int? StatusCode { get; } = statusCode;
}
