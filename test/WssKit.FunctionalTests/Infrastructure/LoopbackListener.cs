using System.Net;
using System.Net.Sockets;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>A fault of the tests' own on a free loopback port: accepts connections and serves each until disposed.</summary>
public abstract class LoopbackListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _accepting;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Cancelled when the listener is disposed.</summary>
    protected CancellationToken Stopping => _stopping.Token;

    /// <summary>Serves one accepted connection; errors of a connection end only that connection.</summary>
    protected abstract Task ServeAsync(Socket client);

    /// <summary>Starts listening; call at the end of the constructor.</summary>
    protected void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        if (_accepting is not null)
        {
            await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stopping.Token);
            _ = ServeAsync(client);
        }
    }
}
