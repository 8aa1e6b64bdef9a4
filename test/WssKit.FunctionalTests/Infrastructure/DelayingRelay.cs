using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// A TCP relay on a free loopback port that holds data back before passing it on, in order, both ways, since this
/// kernel has no netem. Delaying: the latency and jitter of a long or congested path, the n-th chunk of a direction
/// held for <c>delayOf(n, towardsClient)</c>. Buffering: a proxy that passes data on only once it has a full buffer
/// or after a while. Connections are accepted at once, as a load balancer does.
/// </summary>
public sealed class DelayingRelay : LoopbackListener
{
    private readonly (int Bytes, TimeSpan Hold)? _buffering;

    private readonly Func<int, bool, TimeSpan> _delayOf;
    private readonly int _upstreamPort;

    public DelayingRelay(int upstreamPort, Func<int, bool, TimeSpan> delayOf, (int Bytes, TimeSpan Hold)? buffering = null)
    {
        _buffering = buffering;
        _upstreamPort = upstreamPort;
        _delayOf = delayOf;
        Start();
    }

    /// <summary>A relay that passes on at once what comes in pieces of <paramref name="bytes"/> or more, and holds smaller pieces for <paramref name="hold"/>.</summary>
    public static DelayingRelay Buffering(int upstreamPort, int bytes, TimeSpan hold) => new(upstreamPort, (_, _) => TimeSpan.Zero, (bytes, hold));

    protected override async Task ServeAsync(Socket client)
    {
        using var _ = client;
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, Stopping);
            await Task.WhenAny(PumpAsync(client, upstream, towardsClient: false), PumpAsync(upstream, client, towardsClient: true));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The test is over, or a side hung up.
        }
    }

    /// <summary>Reads chunks as they come and writes each once its delay has passed, keeping their order.</summary>
    private async Task PumpAsync(Socket from, Socket to, bool towardsClient)
    {
        var due = Channel.CreateUnbounded<(byte[] Data, long At)>();
        var writing = Task.Run(async () =>
        {
            await foreach (var (data, at) in due.Reader.ReadAllAsync(Stopping))
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), at);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, Stopping);
                }
                await to.SendAsync(data, Stopping);
            }
            to.Shutdown(SocketShutdown.Send);
        });
        var buffer = new byte[64 * 1024];
        var chunk = 0;
        int read;
        while ((read = await from.ReceiveAsync(buffer, Stopping)) > 0)
        {
            var delay = _buffering is { } buffering
                // A small write sits in the buffer until the hold time is up; a large one fills it and goes at once
                // (after whatever waits before it).
                ? (read >= buffering.Bytes ? TimeSpan.Zero : buffering.Hold)
                : _delayOf(chunk++, towardsClient);
            await due.Writer.WriteAsync((buffer[..read], Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency)), Stopping);
        }
        due.Writer.Complete();
        await writing;
    }
}
