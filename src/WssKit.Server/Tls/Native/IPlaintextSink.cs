namespace WssKit.Server.Tls.Native;

/// <summary>
/// What takes a native TLS connection's decrypted bytes as they arrive, in place of its pipe
/// (<see cref="NativeTlsConnection.TrySwitchToSink"/>): called on the connection's read pump, one call at a time.
/// </summary>
internal interface IPlaintextSink
{
    /// <summary>
    /// Takes what arrived; returns how many bytes it used. The rest (the beginning of a frame, a few hundred bytes at
    /// most) is offered again, first, with the bytes that arrive next.
    /// </summary>
    int OnReceived(Span<byte> plaintext);

    /// <summary>
    /// Where the next decrypted bytes may go instead of the inbox (the rest of a large frame, straight into the buffer
    /// its message is gathered in), or empty. Asked only while no delivered byte is left over; what was put there is
    /// then handed over with <see cref="OnReceivedInPlace"/>.
    /// </summary>
    Memory<byte> InPlaceTarget { get; }

    /// <summary>Takes the first <paramref name="count"/> bytes of <see cref="InPlaceTarget"/>, decrypted into it since it was asked for.</summary>
    void OnReceivedInPlace(int count);

    /// <summary>Nothing more will arrive: the client ended its stream, or the connection failed (<paramref name="error"/>).</summary>
    void OnEnded(Exception? error);
}
