using Microsoft.Extensions.Hosting;
using WssKit.Server.Tls.Native;
using WssKit.Server.WebSockets;

namespace WssKit.Server.Hosting;

/// <summary>
/// A stop, however the host is stopped, waits for the WebSockets that outlive Kestrel's connections as Kestrel waits
/// for its own: they had their 1001 when the stop began, and those still open when the host's shutdown timeout runs
/// out are cut.
/// </summary>
internal sealed class WebSocketsShutdown(WebSocketsAfterKestrel webSockets, ConnectionRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!await webSockets.WaitAsync(cancellationToken))
        {
            registry.AbortAll("shutdown-timeout");
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await webSockets.WaitAsync(grace.Token);
        }
    }
}
