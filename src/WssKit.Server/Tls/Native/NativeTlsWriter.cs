using System.Buffers;
using System.IO.Pipelines;

namespace WssKit.Server.Tls.Native;

/// <summary>
/// The plaintext output of a <see cref="NativeTlsConnection"/>: what the application writes is turned into records by
/// OpenSSL and sent from OpenSSL's buffer within the application's own flush, with no pipe or pump in between. A
/// flush waits only when the socket cannot take everything at once. One writer at a time, as for any PipeWriter.
/// </summary>
internal sealed class NativeTlsWriter(NativeTlsConnection connection) : PipeWriter
{
    private byte[]? _buffer;
    private int _buffered;
    private bool _completed;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _buffered;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_buffered);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_buffered);
    }

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes > (_buffer?.Length ?? 0) - _buffered)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), "more bytes advanced than the memory given out holds");
        }
        _buffered += bytes;
    }

    /// <summary>
    /// Writes <paramref name="head"/> and then <paramref name="body"/>, as two writes would, but the whole records' worth
    /// of a large body become records straight from it instead of through the buffer: a 64 KiB message is copied once
    /// less (OpenSSL still copies each record into its own buffer to encrypt it there). Only the body's first
    /// <c>length % 16 KiB</c> bytes join the buffer, so that the rest is whole records and the records are as many as
    /// for one contiguous write.
    /// </summary>
    public void Write(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        var buffered = body.Length < NativeTlsConnection.RecordSize ? body.Length : body.Length % NativeTlsConnection.RecordSize;
        this.Write(head);
        this.Write(body[..buffered]);
        if (buffered < body.Length)
        {
            EncryptBuffered(moreFollows: true);
            connection.Encrypt(body[buffered..]);
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        EncryptBuffered();
        // Between bursts the writer holds no buffer.
        Release();
        var sending = connection.SendQueuedAsync();
        return sending.IsCompleted ? new(Result(sending)) : WaitAsync(sending, cancellationToken);
    }

    /// <summary>
    /// A flush waiting for a peer that does not read is cut short by ending the connection: TLS records cannot be
    /// half sent and then continued.
    /// </summary>
    public override void CancelPendingFlush()
    {
        if (connection.IsSending)
        {
            connection.Abort();
        }
    }

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }
        _completed = true;
        EncryptBuffered();
        Release();
        connection.EndOutput();
    }

    private void Reserve(int sizeHint)
    {
        if (_completed)
        {
            throw new InvalidOperationException("the TLS connection's output was completed");
        }
        var size = Math.Max(sizeHint, 1);
        if (_buffer is not null && _buffer.Length - _buffered >= size)
        {
            return;
        }
        // Full: what it holds becomes records now, and the buffer is used again (or replaced by a larger one).
        EncryptBuffered();
        if (_buffer is null || _buffer.Length < size)
        {
            Release();
            // A full buffer makes one full record.
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, NativeTlsConnection.RecordSize));
        }
    }

    private void EncryptBuffered(bool moreFollows = false)
    {
        if (_buffered > 0)
        {
            connection.Encrypt(_buffer.AsSpan(0, _buffered), moreFollows);
            _buffered = 0;
        }
    }

    private void Release()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    private FlushResult Result(Task sent) => new(isCanceled: false, isCompleted: sent.IsFaulted || connection.OutputFailed);

    private async ValueTask<FlushResult> WaitAsync(Task sending, CancellationToken cancellationToken)
    {
        try
        {
            await sending.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return new FlushResult(isCanceled: true, isCompleted: false);
        }
        catch (IOException)
        {
            // The drain's only failure: the client reset the connection, or it was closed.
            return new FlushResult(isCanceled: false, isCompleted: true);
        }
        return Result(sending);
    }
}
