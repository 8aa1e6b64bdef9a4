namespace WssKit.Server.Tls;

/// <summary>
/// When a TLS connection started waiting for its first bytes: the native TLS layer's handshake gets what is left of
/// the handshake timeout, not a whole one again, so a client that trickles its first bytes cannot hold the
/// connection for twice the timeout. Removed once the handshake is over.
/// </summary>
internal sealed record HandshakeStarted(long Timestamp);
