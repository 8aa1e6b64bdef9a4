using Microsoft.Extensions.Hosting;

namespace WssKit.Server.Hosting;

/// <summary>
/// A host lifetime that leaves signals alone: whoever hosts the server (the CLI, a test) decides when it stops,
/// and several servers can share one process.
/// </summary>
internal sealed class ManualLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
