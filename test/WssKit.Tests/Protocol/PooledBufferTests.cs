using WssKit.Protocol;

namespace WssKit.Tests.Protocol;

/// <summary>Dropping what was sent from the front of a pooled buffer: the rest moves up, in order, in the same array.</summary>
public sealed class PooledBufferTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(600)]
    [InlineData(1000)]
    public void Consume_PrefixSent_RestInOrderAtTheFront(int count)
    {
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        var buffer = default(PooledBuffer);
        buffer.Append(bytes);
        var capacity = buffer.Capacity;

        buffer.Consume(count);

        Assert.Equal(bytes[count..], buffer.Written.ToArray());
        Assert.Equal(capacity, buffer.Capacity);
        buffer.Append([1, 2, 3]);
        Assert.Equal([.. bytes[count..], 1, 2, 3], buffer.Written.ToArray());
        buffer.Release();
    }

    [Fact]
    public void Consume_MoreThanWritten_Refused()
    {
        var buffer = default(PooledBuffer);
        buffer.Append([1, 2, 3]);

        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Consume(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Consume(-1));
        buffer.Release();
    }
}
