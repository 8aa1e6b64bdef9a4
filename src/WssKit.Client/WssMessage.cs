namespace WssKit.Client;

/// <summary>What <see cref="WssClient.ReceiveAsync"/> returns: a message, or the close that ended the connection.</summary>
/// <param name="Kind">Text, binary or close.</param>
/// <param name="Data">The message's bytes (owned by the caller); empty for a close.</param>
/// <param name="CloseCode">For a close: the code (1005 when the peer gave none, 1006 when the connection just ended).</param>
/// <param name="CloseReason">For a close: the peer's reason, or what went wrong.</param>
public sealed record WssMessage(WssMessageKind Kind, ReadOnlyMemory<byte> Data, int CloseCode = 0, string? CloseReason = null)
{
    /// <summary>The message as text (UTF-8).</summary>
    public string Text => System.Text.Encoding.UTF8.GetString(Data.Span);
}

/// <summary>The kinds of <see cref="WssMessage"/>.</summary>
public enum WssMessageKind
{
    /// <summary>A UTF-8 text message.</summary>
    Text,
    /// <summary>A binary message.</summary>
    Binary,
    /// <summary>The connection closed; nothing more will be received.</summary>
    Close,
}
