using System.IO.Pipelines;

namespace WssKit.Server.Tls.Native;

/// <summary>
/// The native TLS connection as Kestrel's HTTP layer sees it, until a WebSocket takes the connection over: from then
/// on (<see cref="Detach"/>) whatever Kestrel does to it on its way out (completing both pipes when the upgrade
/// request ends) no longer reaches the TLS connection, which goes on carrying the WebSocket. Detached, it holds
/// nothing of the connection's: Kestrel keeps it reachable for the connection's life, and the decrypted pipe is let
/// go once the WebSocket engine is fed without it.
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
        _input.Inner = null;
        _output.Inner = null;
    }

    private static InvalidOperationException TakenOver() => new("the connection was taken over by a WebSocket");

    private static readonly ReadResult Ended = new(default, isCanceled: false, isCompleted: true);

    private sealed class Reader(PipeReader inner) : PipeReader
    {
        public volatile PipeReader? Inner = inner;

        public override void AdvanceTo(SequencePosition consumed) => Inner?.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => Inner?.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => Inner?.CancelPendingRead();

        public override void Complete(Exception? exception = null) => Inner?.Complete(exception);

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
            => Inner is { } reader ? reader.ReadAsync(cancellationToken) : new(Ended);

        public override bool TryRead(out ReadResult result)
        {
            if (Inner is { } reader)
            {
                return reader.TryRead(out result);
            }
            result = Ended;
            return true;
        }
    }

    private sealed class Writer(PipeWriter inner) : PipeWriter
    {
        public volatile PipeWriter? Inner = inner;

        public override void Advance(int bytes) => (Inner ?? throw TakenOver()).Advance(bytes);

        public override void CancelPendingFlush() => Inner?.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => Inner?.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
            => Inner is { } writer ? writer.FlushAsync(cancellationToken) : new(new FlushResult(isCanceled: false, isCompleted: true));

        public override Memory<byte> GetMemory(int sizeHint = 0) => (Inner ?? throw TakenOver()).GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => (Inner ?? throw TakenOver()).GetSpan(sizeHint);

        public override bool CanGetUnflushedBytes => Inner?.CanGetUnflushedBytes ?? false;

        public override long UnflushedBytes => Inner?.UnflushedBytes ?? 0;
    }
}
