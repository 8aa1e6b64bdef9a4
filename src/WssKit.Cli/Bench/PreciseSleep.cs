using System.Diagnostics;
using System.Runtime.InteropServices;

namespace WssKit.Cli.Bench;

/// <summary>
/// Sleeps until a <see cref="Stopwatch"/> timestamp to within tens of microseconds, for the fixed-rate scheduler:
/// .NET's own sleeps and timers have a 1 ms grain, which at 5,000 msgs/s would send in bursts of five. On Linux the
/// Stopwatch is CLOCK_MONOTONIC in nanoseconds, so an absolute clock_nanosleep on it wakes at the exact timestamp
/// (with the thread's timer slack cut from 50 µs to 1 µs); elsewhere it falls back to 1 ms sleeps.
/// </summary>
internal static class PreciseSleep
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsolute = 1;
    private const int SetTimerSlack = 29;

    private static readonly bool Native = OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;

    /// <summary>Call once on the scheduler's own thread: a 1 µs timer slack instead of 50 µs.</summary>
    public static void PrepareThread()
    {
        if (Native)
        {
            _ = Prctl(SetTimerSlack, 1, 0, 0, 0);
        }
    }

    /// <summary>Sleeps until <paramref name="timestamp"/> (a <see cref="Stopwatch.GetTimestamp"/> value), or returns at once if it has passed.</summary>
    public static void Until(long timestamp)
    {
        if (Native)
        {
            var at = new TimeSpec { Seconds = timestamp / 1_000_000_000, Nanoseconds = timestamp % 1_000_000_000 };
            // EINTR (a signal) just returns early: the scheduler looks at the clock again.
            _ = ClockNanosleep(ClockMonotonic, TimerAbsolute, in at, IntPtr.Zero);
            return;
        }
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (left > TimeSpan.Zero)
        {
            Thread.Sleep(left < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : left);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // DllImport rather than LibraryImport: these signatures are blittable, and the tool is built without unsafe code.
    [DllImport("libc", EntryPoint = "clock_nanosleep")]
    private static extern int ClockNanosleep(int clock, int flags, in TimeSpec request, IntPtr remaining);

    [DllImport("libc", EntryPoint = "prctl")]
    private static extern int Prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);
}
