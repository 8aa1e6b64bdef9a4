using System.IO.Pipelines;

namespace WssKit.Server.Tls.Native;

/// <summary>
/// The native TLS connection as Kestrel's HTTP layer sees it, until a WebSocket takes the connection over: from then
/// on (<see cref="Detach"/>) whatever Kestrel does to it on its way out (completing both pipes when the upgrade
/// request ends) no longer reaches the TLS connection, which goes on carrying the WebSocket.
/// </summary>
internal sealed class DetachablePipe(IDuplexPipe inner) : IDuplexPipe
{
    private readonly Reader _input = new(inner.Input);
    private readonly Writer _output = new(inner.Output);

    public PipeReader Input => _input;

    public PipeWriter Output => _output;

    /// <summary>Cuts Kestrel off: its later calls do nothing.</summary>
    public void Detach()
    {
        _input.Detached = true;
        _output.Detached = true;
    }

    private static InvalidOperationException TakenOver() => new("the connection was taken over by a WebSocket");

    private sealed class Reader(PipeReader inner) : PipeReader
    {
        public volatile bool Detached;

        public override void AdvanceTo(SequencePosition consumed)
        {
            if (!Detached)
            {
                inner.AdvanceTo(consumed);
            }
        }

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            if (!Detached)
            {
                inner.AdvanceTo(consumed, examined);
            }
        }

        public override void CancelPendingRead()
        {
            if (!Detached)
            {
                inner.CancelPendingRead();
            }
        }

        public override void Complete(Exception? exception = null)
        {
            if (!Detached)
            {
                inner.Complete(exception);
            }
        }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
            => Detached ? new(new ReadResult(default, isCanceled: false, isCompleted: true)) : inner.ReadAsync(cancellationToken);

        public override bool TryRead(out ReadResult result)
        {
            if (Detached)
            {
                result = new ReadResult(default, isCanceled: false, isCompleted: true);
                return true;
            }
            return inner.TryRead(out result);
        }
    }

    private sealed class Writer(PipeWriter inner) : PipeWriter
    {
        public volatile bool Detached;

        public override void Advance(int bytes)
        {
            if (Detached)
            {
                throw TakenOver();
            }
            inner.Advance(bytes);
        }

        public override void CancelPendingFlush()
        {
            if (!Detached)
            {
                inner.CancelPendingFlush();
            }
        }

        public override void Complete(Exception? exception = null)
        {
            if (!Detached)
            {
                inner.Complete(exception);
            }
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
            => Detached ? new(new FlushResult(isCanceled: false, isCompleted: true)) : inner.FlushAsync(cancellationToken);

        public override Memory<byte> GetMemory(int sizeHint = 0)
            => Detached ? throw TakenOver() : inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0)
            => Detached ? throw TakenOver() : inner.GetSpan(sizeHint);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
