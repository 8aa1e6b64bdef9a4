using WssKit.Server.Tls.Native;

namespace WssKit.Tests.Tls;

/// <summary>
/// The native TLS connection's inbox for a WebSocket: a burst's buffer goes back to the pool once the sink has taken
/// it, what the sink leaves (a frame's beginning) is kept small and offered first with the next bytes, and a sink
/// that can take nothing of a full buffer is an error instead of a loop.
/// </summary>
public sealed class PlaintextInboxTests
{
    private readonly PlaintextInbox _inbox = new() { BurstSize = 1024 };
    private readonly RecordingSink _sink = new();

    [Fact]
    public void Deliver_SinkTakesEverything_NoBufferHeldAfterwards()
    {
        Receive("hello"u8);

        _inbox.DeliverTo(_sink);

        Assert.Equal(["hello"], _sink.Offers);
        Assert.False(_inbox.HoldsMemory);
    }

    [Fact]
    public void Deliver_SinkLeavesTheLastBytes_OfferedFirstWithWhatArrivesNext()
    {
        _sink.Leave = 3;
        Receive("message+hea"u8);
        _inbox.DeliverTo(_sink);
        _sink.Leave = 0;

        Receive("der"u8);
        _inbox.DeliverTo(_sink);

        Assert.Equal(["message+hea", "header"], _sink.Offers);
        Assert.False(_inbox.HoldsMemory);
    }

    [Fact]
    public void Deliver_NothingArrivedSinceTheLastOffer_SinkNotAskedAgainAndTheRestKept()
    {
        _sink.Leave = 2;
        Receive("abcd"u8);
        _inbox.DeliverTo(_sink);

        _inbox.GetSpan(); // a pass that decrypted nothing
        _inbox.DeliverTo(_sink);

        Assert.Equal(["abcd"], _sink.Offers);
        Assert.True(_inbox.HoldsMemory);
        _sink.Leave = 0;
        Receive("ef"u8);
        _inbox.DeliverTo(_sink);
        Assert.Equal(["abcd", "cdef"], _sink.Offers);
    }

    [Fact]
    public void Deliver_SinkLeavesMoreThanACarry_KeptInTheBurstBuffer()
    {
        var big = new string('x', 600);
        _sink.Leave = 500;
        Receive(System.Text.Encoding.ASCII.GetBytes(big));
        _inbox.DeliverTo(_sink);
        _sink.Leave = 0;

        Receive("y"u8);
        _inbox.DeliverTo(_sink);

        Assert.Equal(new string('x', 500) + "y", _sink.Offers[1]);
    }

    [Fact]
    public void Deliver_SinkTakesNothingOfAFullBuffer_ThrowsInsteadOfLoopingForever()
    {
        _sink.Leave = int.MaxValue;
        var span = _inbox.GetSpan();
        span.Fill((byte)'z');
        _inbox.Advance(span.Length);

        Assert.Throws<InvalidOperationException>(() => _inbox.DeliverTo(_sink));
    }

    [Fact]
    public void GetSpan_BufferFull_Empty()
    {
        var span = _inbox.GetSpan();
        _inbox.Advance(span.Length);

        Assert.True(_inbox.GetSpan().IsEmpty);
    }

    private void Receive(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_inbox.GetSpan());
        _inbox.Advance(bytes.Length);
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

        public void OnEnded(Exception? error)
        {
        }
    }
}
