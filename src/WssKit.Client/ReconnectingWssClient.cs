using System.Threading.Channels;
using WssKit.Protocol.Framing;

namespace WssKit.Client;

/// <summary>
/// A client that stays connected: when the connection is lost it reconnects with exponential backoff and jitter,
/// pings to find a dead connection early (and measures the round trip), and reports every change of state.
/// Messages are read as one stream across reconnections; sends wait for a connection (back-pressure, no queue).
/// </summary>
public sealed class ReconnectingWssClient : IAsyncDisposable
{
    private readonly Uri _uri;
    private readonly WssClientOptions _options;
    private readonly ReconnectPolicy _policy;
    private readonly Channel<WssMessage> _messages = Channel.CreateBounded<WssMessage>(new BoundedChannelOptions(64) { SingleWriter = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Random _random = new();
    private TaskCompletionSource<WssClient> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    /// <summary>Creates the client; <see cref="StartAsync"/> connects.</summary>
    public ReconnectingWssClient(Uri uri, WssClientOptions? options = null, ReconnectPolicy? policy = null)
    {
        _uri = uri;
        _options = options ?? new WssClientOptions();
        _policy = policy ?? new ReconnectPolicy();
    }

    /// <summary>Raised on the client's own task for every change: connected, disconnected, reconnecting.</summary>
    public event Action<ConnectionEvent>? StateChanged;

    /// <summary>The latest ping round trip.</summary>
    public TimeSpan? LastRoundTrip { get; private set; }

    /// <summary>Starts connecting (and reconnecting) in the background; completes once the first connection is open.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _loop ??= Task.Run(RunAsync, CancellationToken.None);
        await _connected.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Every message, across reconnections, until disposed.</summary>
    public IAsyncEnumerable<WssMessage> ReadAllAsync(CancellationToken cancellationToken = default) => _messages.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Sends a message on the current connection, waiting for one if it is being re-established.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, bool text, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var client = await _connected.Task.WaitAsync(cancellationToken);
            try
            {
                await client.SendAsync(payload, text, cancellationToken);
                return;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
            {
                // This connection is going away; the next one takes the message.
                await Task.Yield();
            }
        }
    }

    /// <summary>Closes the connection (1000) and stops reconnecting.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        if (_connected.Task.IsCompletedSuccessfully)
        {
            try
            {
                await _connected.Task.Result.CloseAsync(CloseCodes.NormalClosure, "", new CancellationTokenSource(TimeSpan.FromSeconds(2)).Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or ObjectDisposedException)
            {
                // Closing is best effort.
            }
        }
        if (_loop is not null)
        {
            await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        _messages.Writer.TryComplete();
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            WssClient client;
            try
            {
                client = await WssClient.ConnectAsync(_uri, _options, _stopping.Token);
            }
            catch (WssConnectException e)
            {
                failures++;
                if (_policy.MaxAttempts > 0 && failures >= _policy.MaxAttempts)
                {
                    _connected.TrySetException(e);
                    _messages.Writer.TryComplete(e);
                    return;
                }
                var delay = _policy.DelayFor(failures, _random);
                StateChanged?.Invoke(new ConnectionEvent(ConnectionEventKind.Reconnecting, Reason: e.Message, Attempt: failures + 1, Delay: delay));
                await Task.Delay(delay, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            failures = 0;
            _connected.TrySetResult(client);
            StateChanged?.Invoke(new ConnectionEvent(ConnectionEventKind.Connected));
            var closed = await ServeAsync(client);
            _connected = new TaskCompletionSource<WssClient>(TaskCreationOptions.RunContinuationsAsynchronously);
            await client.DisposeAsync();
            if (_stopping.IsCancellationRequested)
            {
                return;
            }
            StateChanged?.Invoke(new ConnectionEvent(ConnectionEventKind.Disconnected, closed.CloseCode, closed.CloseReason));
            var wait = _policy.DelayFor(1, _random);
            StateChanged?.Invoke(new ConnectionEvent(ConnectionEventKind.Reconnecting, closed.CloseCode, closed.CloseReason, Attempt: 1, Delay: wait));
            await Task.Delay(wait, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Receives until the connection ends, pinging meanwhile; returns the close.</summary>
    private async Task<WssMessage> ServeAsync(WssClient client)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var pinging = _policy.PingInterval > TimeSpan.Zero ? PingAsync(client, connection) : Task.CompletedTask;
        try
        {
            while (true)
            {
                var message = await client.ReceiveAsync(connection.Token);
                if (message.Kind == WssMessageKind.Close)
                {
                    return message;
                }
                await _messages.Writer.WriteAsync(message, connection.Token);
            }
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            return new WssMessage(WssMessageKind.Close, ReadOnlyMemory<byte>.Empty, CloseCodes.Abnormal, $"no pong within {_policy.PingTimeout.TotalSeconds:0.#} s: the connection is dead");
        }
        catch (OperationCanceledException)
        {
            return new WssMessage(WssMessageKind.Close, ReadOnlyMemory<byte>.Empty, CloseCodes.NormalClosure, "closed by the application");
        }
        finally
        {
            await connection.CancelAsync();
            await pinging.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task PingAsync(WssClient client, CancellationTokenSource connection)
    {
        while (!connection.IsCancellationRequested)
        {
            await Task.Delay(_policy.PingInterval, connection.Token);
            try
            {
                LastRoundTrip = await client.PingAsync(connection.Token).WaitAsync(_policy.PingTimeout, connection.Token);
            }
            catch (TimeoutException)
            {
                await connection.CancelAsync();
                return;
            }
        }
    }
}
