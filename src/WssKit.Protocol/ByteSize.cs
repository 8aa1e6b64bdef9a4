using System.Globalization;

namespace WssKit.Protocol;

/// <summary>Sizes as people write them: the largest binary unit that divides the size exactly.</summary>
public static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] BinaryUnits = [("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10)];

    /// <summary>1048576 is "1MiB", 1536 is "1536" (no unit divides it), 65536 is "64KiB".</summary>
    public static string Format(long bytes)
    {
        foreach (var (suffix, factor) in BinaryUnits)
        {
            if (bytes >= factor && bytes % factor == 0)
            {
                return $"{bytes / factor}{suffix}";
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
