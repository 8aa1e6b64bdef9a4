namespace WssKit.Client;

/// <summary>What happened to the connection, for <see cref="ReconnectingWssClient.StateChanged"/>.</summary>
/// <param name="Kind">Connected, disconnected or reconnecting.</param>
/// <param name="CloseCode">For a disconnection: the close code (1006 when the connection just ended).</param>
/// <param name="Reason">For a disconnection: the close reason or the error; for reconnecting: why the last attempt failed.</param>
/// <param name="Attempt">For reconnecting: the number of the coming attempt.</param>
/// <param name="Delay">For reconnecting: the wait before it.</param>
public sealed record ConnectionEvent(ConnectionEventKind Kind, int CloseCode = 0, string? Reason = null, int Attempt = 0, TimeSpan Delay = default);

/// <summary>The kinds of <see cref="ConnectionEvent"/>.</summary>
public enum ConnectionEventKind
{
    /// <summary>A connection is open.</summary>
    Connected,
    /// <summary>The connection was lost or closed by the server.</summary>
    Disconnected,
    /// <summary>Waiting before the next attempt.</summary>
    Reconnecting,
}
