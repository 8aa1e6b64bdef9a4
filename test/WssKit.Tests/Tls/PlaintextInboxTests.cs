using WssKit.Server.Tls.Native;

namespace WssKit.Tests.Tls;

/// <summary>
/// The native TLS connection's inbox for a WebSocket: a burst's buffer goes back to the pool once the sink has taken
/// it, what the sink leaves (a frame's beginning) is kept small and offered first with the next bytes, and a sink
/// that can take nothing of a full buffer is an error instead of a loop. While the sink offers a target of its own (the
/// rest of a large frame), bytes go there instead, and only then.
/// </summary>
public sealed class PlaintextInboxTests
{
    private readonly RecordingSink _sink = new();
    private readonly PlaintextInbox _inbox;

    public PlaintextInboxTests() => _inbox = new PlaintextInbox(_sink) { BurstSize = 1024 };

    [Fact]
    public void Deliver_SinkTakesEverything_NoBufferHeldAfterwards()
    {
        Receive("hello"u8);

        _inbox.Deliver();

        Assert.Equal(["hello"], _sink.Offers);
        Assert.False(_inbox.HoldsMemory);
    }

    [Fact]
    public void Deliver_SinkLeavesTheLastBytes_OfferedFirstWithWhatArrivesNext()
    {
        DeliverLeaving("message+hea"u8, 3);

        Receive("der"u8);
        _inbox.Deliver();

        Assert.Equal(["message+hea", "header"], _sink.Offers);
        Assert.False(_inbox.HoldsMemory);
    }

    [Fact]
    public void Deliver_NothingArrivedSinceTheLastOffer_SinkNotAskedAgainAndTheRestKept()
    {
        _sink.Leave = 2;
        Receive("abcd"u8);
        _inbox.Deliver();

        _inbox.GetSpan(); // a pass that decrypted nothing
        _inbox.Deliver();

        Assert.Equal(["abcd"], _sink.Offers);
        Assert.True(_inbox.HoldsMemory);
        _sink.Leave = 0;
        Receive("ef"u8);
        _inbox.Deliver();
        Assert.Equal(["abcd", "cdef"], _sink.Offers);
    }

    [Fact]
    public void Deliver_SinkLeavesMoreThanACarry_KeptInTheBurstBuffer()
    {
        var big = new string('x', 600);
        DeliverLeaving(System.Text.Encoding.ASCII.GetBytes(big), 500);

        Receive("y"u8);
        _inbox.Deliver();

        Assert.Equal(new string('x', 500) + "y", _sink.Offers[1]);
    }

    [Fact]
    public void Deliver_SinkTakesNothingOfAFullBuffer_ThrowsInsteadOfLoopingForever()
    {
        _sink.Leave = int.MaxValue;
        var span = _inbox.GetSpan();
        span.Fill((byte)'z');
        _inbox.Advance(span.Length);

        Assert.Throws<InvalidOperationException>(() => _inbox.Deliver());
    }

    [Fact]
    public void GetSpan_BufferFull_Empty()
    {
        var span = _inbox.GetSpan();
        _inbox.Advance(span.Length);

        Assert.True(_inbox.GetSpan().IsEmpty);
    }

    [Fact]
    public void InPlace_SinkOffersATarget_BytesGoIntoItAndAreHandedOverByCountWithoutABuffer()
    {
        _sink.Target = new byte[10];

        Receive("abcd"u8);
        Receive("efg"u8);
        _inbox.Deliver();

        Assert.Equal([7], _sink.InPlace);
        Assert.Equal("abcdefg", System.Text.Encoding.ASCII.GetString(_sink.Target, 0, 7));
        Assert.Empty(_sink.Offers);
        Assert.False(_inbox.HoldsMemory);
    }

    [Fact]
    public void InPlace_TargetFull_EmptyUntilDelivered()
    {
        _sink.Target = new byte[4];
        Receive("abcd"u8);

        Assert.True(_inbox.GetSpan().IsEmpty);
        _inbox.Deliver();
        _sink.Target = null;
        Receive("next"u8);
        _inbox.Deliver();

        Assert.Equal([4], _sink.InPlace);
        Assert.Equal(["next"], _sink.Offers);
    }

    [Fact]
    public void InPlace_BytesLeftOverFromTheLastOffer_TargetNotAskedAndTheyComeFirst()
    {
        DeliverLeaving("abcd"u8, 2);
        _sink.Target = new byte[10];

        Receive("ef"u8);
        _inbox.Deliver();

        Assert.Equal(["abcd", "cdef"], _sink.Offers);
        Assert.Empty(_sink.InPlace);
    }

    private void Receive(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_inbox.GetSpan());
        _inbox.Advance(bytes.Length);
    }

    /// <summary>Receives and delivers bytes, the sink leaving the last <paramref name="leave"/> of them for the next offer.</summary>
    private void DeliverLeaving(ReadOnlySpan<byte> bytes, int leave)
    {
        _sink.Leave = leave;
        Receive(bytes);
        _inbox.Deliver();
        _sink.Leave = 0;
    }

    private sealed class RecordingSink : IPlaintextSink
    {
        public List<string> Offers { get; } = [];

        /// <summary>How many bytes at the end of each offer the sink leaves (all of them when larger).</summary>
        public int Leave { get; set; }

        public int OnReceived(Span<byte> plaintext)
        {
            Offers.Add(System.Text.Encoding.ASCII.GetString(plaintext));
            return Math.Max(0, plaintext.Length - Leave);
        }

        /// <summary>The sink's own buffer it offers for the next bytes (none when null).</summary>
        public byte[]? Target { get; set; }

        public List<int> InPlace { get; } = [];

        public Memory<byte> InPlaceTarget => Target;

        public void OnReceivedInPlace(int count) => InPlace.Add(count);

        public void OnEnded(Exception? error)
        {
        }
    }
}
