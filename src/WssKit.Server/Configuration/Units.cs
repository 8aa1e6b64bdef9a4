using System.Globalization;
using System.Text.RegularExpressions;

namespace WssKit.Server.Configuration;

/// <summary>Reads and writes the sizes ("64KiB", "1MiB") and durations ("500ms", "30s", "15m", "7d") used in settings.</summary>
public static partial class Units
{
    private static readonly (string Suffix, long Factor)[] SizeUnits =
        [("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000), ("kB", 1_000), ("B", 1)];

    private static readonly (string Suffix, TimeSpan Unit)[] DurationUnits =
        [("ms", TimeSpan.FromMilliseconds(1)), ("s", TimeSpan.FromSeconds(1)), ("m", TimeSpan.FromMinutes(1)), ("h", TimeSpan.FromHours(1)), ("d", TimeSpan.FromDays(1))];

    /// <summary>Parses a size: a number of bytes, or a number with a unit (KiB, MiB, GiB, KB, MB, GB).</summary>
    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        var match = NumberWithUnit().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }
        var unit = match.Groups["unit"].Value;
        var factor = unit.Length == 0 ? 1 : SizeUnits.FirstOrDefault(candidate => candidate.Suffix == unit).Factor;
        if (factor == 0 || !decimal.TryParse(match.Groups["number"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        // Checked before multiplying: a product past decimal's range would throw instead of returning false.
        if (number > long.MaxValue / (decimal)factor)
        {
            return false;
        }
        var value = number * factor;
        if (value > long.MaxValue || value != decimal.Truncate(value))
        {
            return false;
        }
        bytes = (long)value;
        return true;
    }

    /// <summary>Parses a duration: "0" (off), a number with a unit (ms, s, m, h, d), or hh:mm:ss.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var trimmed = text.Trim();
        if (trimmed == "0")
        {
            return true;
        }
        if (trimmed.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out duration) && duration >= TimeSpan.Zero;
        }
        var match = NumberWithUnit().Match(trimmed);
        if (!match.Success || !double.TryParse(match.Groups["number"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        var unit = DurationUnits.FirstOrDefault(candidate => candidate.Suffix == match.Groups["unit"].Value).Unit;
        // TimeSpan * double throws past TimeSpan.MaxValue (about 29,000 years); that is not a duration anyone means.
        if (unit == TimeSpan.Zero || number * unit.Ticks >= TimeSpan.MaxValue.Ticks)
        {
            return false;
        }
        duration = unit * number;
        return true;
    }

    /// <summary>A size in the largest binary unit that divides it exactly: 1048576 is "1MiB".</summary>
    public static string FormatSize(long bytes) => Protocol.ByteSize.Format(bytes);

    /// <summary>A duration in the largest unit that divides it exactly: 90 seconds is "90s", zero is "0".</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0";
        }
        foreach (var (suffix, unit) in DurationUnits.Reverse())
        {
            if (duration.Ticks % unit.Ticks == 0)
            {
                return $"{duration.Ticks / unit.Ticks}{suffix}";
            }
        }
        return duration.ToString("c", CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^(?<number>\d+(\.\d+)?)\s*(?<unit>[A-Za-z]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberWithUnit();
}
