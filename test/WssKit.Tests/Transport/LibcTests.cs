using System.Net.Sockets;
using WssKit.Server.Transport;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Transport;

/// <summary>
/// The send of two buffers in one call, on real sockets: the bytes arrive in order, a full socket takes a prefix of
/// both and is reported as such, and a reset peer is an error, not an exception.
/// </summary>
public sealed class LibcTests : IDisposable
{
    private readonly UnixSocketPair _pair = new();

    public LibcTests()
    {
        _pair.Accepted.Blocking = false;
        _pair.Peer.ReceiveTimeout = 5000;
    }

    public void Dispose() => _pair.Dispose();

    private int Descriptor => (int)_pair.Accepted.SafeHandle.DangerousGetHandle();

    [Fact]
    public void SendNow_TwoBuffers_BothArriveInOrder()
    {
        var sent = Libc.SendNow(Descriptor, "first record, "u8, "then the last"u8);

        Assert.Equal(27, sent);
        Assert.Equal("first record, then the last", System.Text.Encoding.ASCII.GetString(ReceiveExactly(27)));
    }

    [Theory]
    [InlineData("", "only the second")]
    [InlineData("only the first", "")]
    public void SendNow_OneBufferEmpty_TheOtherSent(string first, string second)
    {
        var sent = Libc.SendNow(Descriptor, System.Text.Encoding.ASCII.GetBytes(first), System.Text.Encoding.ASCII.GetBytes(second));

        Assert.Equal(first.Length + second.Length, sent);
        Assert.Equal(first + second, System.Text.Encoding.ASCII.GetString(ReceiveExactly(sent)));
    }

    [Fact]
    public void SendNow_SocketFillsUp_CountsThePrefixOfBothThatWasTakenThenZero()
    {
        _pair.Accepted.SendBufferSize = 4096;
        var first = Pattern(300_000, seed: 1);
        var second = Pattern(300_000, seed: 2);

        var sent = Libc.SendNow(Descriptor, first, second);
        var again = Libc.SendNow(Descriptor, "more"u8, default);

        Assert.InRange(sent, 1, first.Length + second.Length - 1);
        Assert.Equal(0, again);
        Assert.Equal(first.Concat(second).Take(sent).ToArray(), ReceiveExactly(sent));
    }

    [Fact]
    public void SendNow_FirstBufferOnlyPartlyTaken_NothingOfTheSecondGoesAhead()
    {
        _pair.Accepted.SendBufferSize = 4096;
        var first = Pattern(600_000, seed: 3);

        var sent = Libc.SendNow(Descriptor, first, "second"u8);

        Assert.InRange(sent, 1, first.Length - 1);
        Assert.Equal(first.AsSpan(0, sent).ToArray(), ReceiveExactly(sent));
    }

    [Fact]
    public void SendNow_PeerGone_MinusOne()
    {
        _pair.Peer.Close();

        Assert.Equal(-1, Libc.SendNow(Descriptor, "to nobody"u8, "at all"u8));
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private byte[] ReceiveExactly(int count)
    {
        var received = new byte[count];
        for (var at = 0; at < count;)
        {
            var now = _pair.Peer.Receive(received, at, count - at, SocketFlags.None);
            Assert.NotEqual(0, now);
            at += now;
        }
        return received;
    }
}
