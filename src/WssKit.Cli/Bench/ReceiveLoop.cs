using System.Buffers;
using System.Diagnostics;

namespace WssKit.Cli.Bench;

/// <summary>
/// The reading side of a connection whose writes go through a <see cref="LatencySender"/> (latency and idle
/// scenarios): counts the echoes, times them against their scheduled send times, answers pings, and ends on the
/// server's close. Without a read buffer of its own (idle) it waits with zero-byte reads and borrows a buffer only
/// when data has arrived, so an idle connection holds no buffer.
/// </summary>
internal static class ReceiveLoop
{
    private const int BorrowedBuffer = 4096;

    public static async Task RunAsync(LoadConnection connection, LatencySender sender, Schedule? schedule, Histogram? histogram)
    {
        var scanner = connection.Scanner;
        var times = new long[256];
        try
        {
            connection.Received += connection.FeedLeftover();
            if (scanner.HasControlToSend)
            {
                sender.SendControl(scanner);
            }
            while (true)
            {
                var buffer = connection.Buffer;
                var borrowed = false;
                if (buffer.Length == 0)
                {
                    // A zero-byte read waits for data without a buffer; it reads nothing by design.
#pragma warning disable CA2022
                    await connection.Stream.ReadAsync(Memory<byte>.Empty);
#pragma warning restore CA2022
                    buffer = ArrayPool<byte>.Shared.Rent(BorrowedBuffer);
                    borrowed = true;
                }
                try
                {
                    var read = await connection.Stream.ReadAsync(buffer);
                    var now = Stopwatch.GetTimestamp();
                    if (read == 0)
                    {
                        if (!sender.Closing)
                        {
                            connection.Fail(connection.EndReason(endOfStream: true));
                        }
                        break;
                    }
                    var echoes = scanner.Feed(buffer.AsSpan(0, read));
                    connection.Received += echoes;
                    while (echoes > 0)
                    {
                        var taken = sender.Take(echoes, times);
                        if (taken == 0)
                        {
                            break;
                        }
                        echoes -= taken;
                        if (schedule is not null && histogram is not null)
                        {
                            foreach (var scheduled in times.AsSpan(0, taken))
                            {
                                if (schedule.IsMeasured(scheduled))
                                {
                                    histogram.Record(Schedule.Nanoseconds(now - scheduled));
                                }
                            }
                        }
                    }
                }
                finally
                {
                    if (borrowed)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }
                if (scanner.CloseReceived || scanner.ProtocolError is not null)
                {
                    if (!sender.Closing)
                    {
                        connection.Fail(connection.EndReason(endOfStream: false));
                        sender.SendControl(scanner);
                    }
                    break;
                }
                if (scanner.HasControlToSend)
                {
                    sender.SendControl(scanner);
                }
            }
            await sender.FlushAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or InvalidOperationException)
        {
            connection.Fail($"a connection broke: {e.Message.TrimEnd('.')}");
        }
        connection.Dispose();
    }
}
