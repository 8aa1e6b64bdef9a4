using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using WssKit.Server.Tls.Native;

namespace WssKit.Tests.Tls;

/// <summary>
/// A WebSocket taking its connection over from Kestrel's HTTP layer: what Kestrel does on its way out must not reach
/// the connection, and nothing of Kestrel's must stay reachable from it.
/// </summary>
public sealed class ConnectionTakeoverTests
{
    private readonly Pipe _input = new();
    private readonly Pipe _output = new();
    private readonly Heartbeat _heartbeat = new();
    private readonly DefaultConnectionContext _connection = new("connection-1");
    private readonly HttpConnectionView _view;

    public ConnectionTakeoverTests()
    {
        _connection.Features.Set<IConnectionHeartbeatFeature>(_heartbeat);
        _view = new HttpConnectionView(_connection, new DetachablePipe(new DuplexPipe(_input.Reader, _output.Writer)));
    }

    [Fact]
    public async Task BeforeTakeover_KestrelReadsAndWritesTheConnection()
    {
        await _input.Writer.WriteAsync("GET"u8.ToArray());
        var read = await _view.Transport.Input.ReadAsync();
        Assert.Equal("GET"u8.ToArray(), read.Buffer.ToArray());
        _view.Transport.Input.AdvanceTo(read.Buffer.End);

        await _view.Transport.Output.WriteAsync("HTTP/1.1 101"u8.ToArray());
        Assert.True(_output.Reader.TryRead(out var written));
        Assert.Equal("HTTP/1.1 101"u8.ToArray(), written.Buffer.ToArray());
    }

    [Fact]
    public async Task AfterTakeover_KestrelCompletingThePipes_LeavesTheConnectionOpen()
    {
        _view.ContinueAfterRequest(NothingAfter);
        _view.Transport.Input.Complete();
        _view.Transport.Output.Complete();

        // The connection's own pipes still carry data both ways.
        await _input.Writer.WriteAsync("frame"u8.ToArray());
        Assert.True(_input.Reader.TryRead(out var read));
        Assert.Equal("frame"u8.ToArray(), read.Buffer.ToArray());
        var flushed = await _output.Writer.WriteAsync("reply"u8.ToArray());
        Assert.False(flushed.IsCompleted);
    }

    [Fact]
    public void AfterTakeover_KestrelWriting_IsRefusedInsteadOfCorruptingTheStream()
    {
        _view.ContinueAfterRequest(NothingAfter);

        Assert.Throws<InvalidOperationException>(() => _view.Transport.Output.GetSpan(16));
        Assert.True(_view.Transport.Input.TryRead(out var read));
        Assert.True(read.IsCompleted);
    }

    [Fact]
    public void Heartbeat_ReachesKestrelUntilTakeover_ThenHoldsNothingOfIt()
    {
        var ticks = new int[1];
        var weak = RegisterKestrelHeartbeat(ticks);

        _heartbeat.Beat();
        Assert.Equal(1, ticks[0]);

        _view.ContinueAfterRequest(NothingAfter);
        _heartbeat.Beat();
        Assert.Equal(1, ticks[0]);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.False(weak.IsAlive, "the HTTP layer's heartbeat state is still reachable after the takeover");
    }

    [Fact]
    public void View_SharesTheConnectionsFeaturesAndOffersItsOwnTransport()
    {
        _connection.Features.Set(new MarkerFeature());

        Assert.NotNull(_view.Features.Get<MarkerFeature>());
        Assert.Same(_view.Transport, _view.Features.Get<IConnectionTransportFeature>()!.Transport);
        Assert.Same(_view, _view.Features.Get<IConnectionTakeoverFeature>());
        Assert.Equal("connection-1", _view.ConnectionId);
    }

    // Kestrel's HTTP connection, as far as the heartbeat goes: registered from a frame of its own so that no local
    // of the test keeps it alive.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private WeakReference RegisterKestrelHeartbeat(int[] ticks)
    {
        var httpConnection = new object();
        _view.Features.Get<IConnectionHeartbeatFeature>()!.OnHeartbeat(_ => ticks[0]++, httpConnection);
        return new WeakReference(httpConnection);
    }

    private static Task NothingAfter(IDuplexPipe pipes, Action abort) => Task.CompletedTask;

    private sealed class MarkerFeature;

    private sealed class Heartbeat : IConnectionHeartbeatFeature
    {
        private readonly List<(Action<object> Action, object State)> _callbacks = [];

        public void OnHeartbeat(Action<object> action, object state) => _callbacks.Add((action, state));

        public void Beat()
        {
            foreach (var (action, state) in _callbacks)
            {
                action(state);
            }
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
