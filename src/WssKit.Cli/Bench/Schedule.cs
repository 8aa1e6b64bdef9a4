using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WssKit.Cli.Bench;

/// <summary>
/// The fixed-rate timetable of the latency scenario: message i is due at start + i / rate, round-robin over the
/// connections. Runs on its own thread, sleeping precisely until each due time; a late wake-up sends every message
/// that fell due meanwhile, each with its own due time.
/// </summary>
internal sealed class Schedule(BenchSettings settings)
{
    private readonly double _interval = Stopwatch.Frequency / settings.Rate;
    private long _measureStart = long.MaxValue;
    private long _measureEnd = long.MaxValue;
    private long _lastScheduled;
    private volatile bool _done;

    /// <summary>Every message has been handed to its connection.</summary>
    public bool Done => _done;

    /// <summary>How late each measured message was handed to its connection, behind its due time.</summary>
    public Histogram Lag { get; } = new();

    /// <summary>The measured window: from its start to the due time of the last message after it, plus one interval.</summary>
    public double MeasuredSeconds
        => _lastScheduled < _measureStart ? 0 : (_lastScheduled - _measureStart + _interval) / Stopwatch.Frequency;

    public static long Nanoseconds(long ticks) => (long)(ticks * (1e9 / Stopwatch.Frequency));

    /// <summary>Whether a message due at <paramref name="scheduled"/> belongs to the measured window.</summary>
    public bool IsMeasured(long scheduled) => scheduled >= Volatile.Read(ref _measureStart) && scheduled < _measureEnd;

    // Optimized at once: a loop that runs for the whole run would otherwise stay in unoptimized code for seconds.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(LatencySender[] senders, Action measureStarts, CancellationToken cancellationToken)
    {
        PreciseSleep.PrepareThread();
        try
        {
            var start = Stopwatch.GetTimestamp();
            var warmupEnd = start + (long)(settings.Warmup * Stopwatch.Frequency);
            var end = warmupEnd + (long)(settings.Duration * Stopwatch.Frequency);
            // Whole messages: the warm-up ends at a message's due time, so the first measured one is due exactly then.
            var firstMeasured = (long)Math.Ceiling(settings.Warmup * settings.Rate);
            Volatile.Write(ref _measureStart, start + (long)(firstMeasured * _interval));
            _measureEnd = end;
            var limit = settings.Count is { } count ? firstMeasured + count : long.MaxValue;
            var measuring = false;
            for (long i = 0; i < limit && !cancellationToken.IsCancellationRequested; i++)
            {
                var due = start + (long)(i * _interval);
                if (due >= end)
                {
                    break;
                }
                var now = Stopwatch.GetTimestamp();
                while (now < due && !cancellationToken.IsCancellationRequested)
                {
                    PreciseSleep.Until(due);
                    now = Stopwatch.GetTimestamp();
                }
                if (i >= firstMeasured)
                {
                    if (!measuring)
                    {
                        measuring = true;
                        measureStarts();
                    }
                    _lastScheduled = due;
                    Lag.Record(Nanoseconds(now - due));
                }
                senders[i % senders.Length].Send(due);
            }
        }
        finally
        {
            _done = true;
        }
    }
}
