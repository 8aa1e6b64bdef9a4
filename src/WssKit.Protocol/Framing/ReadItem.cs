namespace WssKit.Protocol.Framing;

/// <summary>
/// One result of <see cref="MessageReader.Read"/>. The payload points into the reader's input or its own buffer
/// and is valid only until the next call to <see cref="MessageReader.Read"/>.
/// </summary>
public readonly ref struct ReadItem
{
    internal ReadItem(ReadKind kind, ReadOnlySpan<byte> payload, int closeCode = 0, string? reason = null)
    {
        Kind = kind;
        Payload = payload;
        CloseCode = closeCode;
        Reason = reason;
    }

    /// <summary>What was read.</summary>
    public ReadKind Kind { get; }

    /// <summary>The message or control payload (unmasked, decompressed).</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>For <see cref="ReadKind.Close"/>: the peer's code (1005 when it gave none); for <see cref="ReadKind.Error"/>: the code to close with.</summary>
    public int CloseCode { get; }

    /// <summary>For <see cref="ReadKind.Close"/>: the peer's reason; for <see cref="ReadKind.Error"/>: what the peer did wrong.</summary>
    public string? Reason { get; }

    internal static ReadItem NeedMore => new(ReadKind.NeedMore, default);

    internal static ReadItem Fail(int code, string reason) => new(ReadKind.Error, default, code, reason);
}
