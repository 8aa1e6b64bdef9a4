using System.Diagnostics;

namespace WssKit.Cli.Bench;

/// <summary>
/// Echo throughput: every connection keeps --window messages in flight. Each read counts the echoes it completed
/// and sends that many new messages in one write, so a read and a write carry a whole batch, as the fast servers
/// and the rig's C load generator do: the cost per message is a share of one TLS record and one syscall.
/// </summary>
internal static class EchoScenario
{
    // Big enough for everything a server sends between two reads (a TLS record is at most 16 KiB).
    private const int ReadBuffer = 32 * 1024;

    public static async Task RunAsync(BenchContext context, BenchResult result, CancellationToken hardStop)
    {
        var settings = context.Settings;
        var pool = new FramePool(settings.Size, settings.Binary, settings.Window);
        var set = new ConnectionSet(context.Connector, pool, ReadBuffer);
        await set.OpenAsync(settings.Connections, settings.Concurrency, result, keepGoing: false, hardStop);
        await using var abort = hardStop.Register(set.DisposeAll);
        var control = new LoadControl();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        if (settings.Count is { } count && settings.Warmup == 0)
        {
            // The measured window starts with the first message: exactly --count messages go out.
            control.Limit(count);
        }
        var loops = set.Connections.Select(connection => Task.Run(() => LoopAsync(connection, pool, control, settings.Window), CancellationToken.None)).ToArray();

        long last = 0;
        context.Progress.Describe(elapsed =>
        {
            var received = set.Received;
            var line = $"{received - last:N0} msgs/s, {set.Connections.Count(c => c.Error is not null)} connections dropped";
            last = received;
            return line;
        });
        long before = 0;
        if (settings.Warmup > 0)
        {
            await context.Clock.WaitAsync(TimeSpan.FromSeconds(settings.Warmup), "warm-up", null, hardStop);
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            before = set.Received;
            if (settings.Count is { } limit)
            {
                // What is in flight now comes back in the window: it counts toward --count (give or take a batch).
                control.Limit(Math.Max(0, limit - (set.Sent - before)));
            }
        }
        // Polled only with --count: a wake-up every few milliseconds is a cost on the load generator's own core.
        Func<bool>? countReached = settings.Count is null ? null : () => control.Exhausted && set.Connections.All(c => c.Drained);
        var window = await context.Clock.WaitAsync(TimeSpan.FromSeconds(settings.Duration), "measure", countReached, hardStop);
        result.Messages = set.Received - before;
        result.Elapsed = window.TotalSeconds;
        result.ClientCpuPercent = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / window.TotalSeconds * 100;
        control.Stop();

        await context.DrainAsync(loops, set.DisposeAll, hardStop);
        set.Report(result);
    }

    private static async Task LoopAsync(LoadConnection connection, FramePool pool, LoadControl control, int window)
    {
        var stream = connection.Stream;
        var buffer = connection.Buffer;
        var scanner = connection.Scanner;
        try
        {
            var received = connection.FeedLeftover();
            connection.Received += received;
            var toSend = control.Reserve(window);
            while (true)
            {
                if (scanner.HasControlToSend)
                {
                    await connection.WriteControlAsync();
                }
                while (toSend > 0)
                {
                    var frames = pool.Slice(ref connection.Cursor, toSend, out var taken);
                    connection.Sent += taken;
                    toSend -= taken;
                    await stream.WriteAsync(frames);
                }
                if (scanner.CloseReceived || scanner.ProtocolError is not null)
                {
                    connection.Fail(connection.EndReason(endOfStream: false));
                    break;
                }
                if (connection.Sent == connection.Received && (!control.Sending || control.Exhausted))
                {
                    break;
                }
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    connection.Fail(connection.EndReason(endOfStream: true));
                    break;
                }
                received = scanner.Feed(buffer.AsSpan(0, read));
                connection.Received += received;
                toSend = control.Reserve(received);
            }
        }
        catch (Exception e) when (e is IOException)
        {
            connection.Fail(await connection.ExplainBreakAsync(e));
        }
        catch (Exception e) when (e is ObjectDisposedException or NotSupportedException or InvalidOperationException)
        {
            connection.Fail($"a connection broke: {e.Message.TrimEnd('.')}");
        }
        connection.Drained = true;
        await connection.CloseAsync();
    }
}
