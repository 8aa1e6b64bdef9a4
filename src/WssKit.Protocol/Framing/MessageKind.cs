namespace WssKit.Protocol.Framing;

/// <summary>What a call to <see cref="MessageReader.Read"/> produced.</summary>
public enum ReadKind
{
    /// <summary>The input holds no complete message or control frame: read more and call again.</summary>
    NeedMore,
    /// <summary>A whole text message.</summary>
    Text,
    /// <summary>A whole binary message.</summary>
    Binary,
    /// <summary>A ping: answer it with a pong carrying the same payload.</summary>
    Ping,
    /// <summary>A pong.</summary>
    Pong,
    /// <summary>The peer started or answered the closing handshake; nothing more will be read.</summary>
    Close,
    /// <summary>The peer broke the protocol: close with <see cref="ReadItem.CloseCode"/> and the reason, then end the connection.</summary>
    Error,
}
