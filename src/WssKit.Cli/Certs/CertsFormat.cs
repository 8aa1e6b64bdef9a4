using System.Globalization;
using WssKit.Diagnostics.Certs;

namespace WssKit.Cli.Certs;

/// <summary>Figures as every output of wss certs shows them: invariant culture, UTC.</summary>
internal static class CertsFormat
{
    public static string Status(CertStatus status) => status.ToString().ToLowerInvariant();

    public static string Day(DateTimeOffset when) => when.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>One decimal, cut towards zero: 9.99 days left shows as 9.9, never as more than is left; + 0.0 turns -0 into 0.</summary>
    public static string DaysLeft(double days) => (Math.Truncate(days * 10) / 10 + 0.0).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>Percent, rounded down: 33.9% left shows as 33%, never as more than is left.</summary>
    public static string Percent(double fraction) => Math.Floor(fraction * 100).ToString(CultureInfo.InvariantCulture) + "%";

    public static string Fraction(double fraction) => fraction.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>The common name of a distinguished name, or the whole name without one.</summary>
    public static string CommonName(string distinguishedName)
        => distinguishedName.Split(',', StringSplitOptions.TrimEntries).FirstOrDefault(part => part.StartsWith("CN=", StringComparison.Ordinal))?[3..]
            ?? distinguishedName;

    /// <summary>The warning rule in words: "less than 33% of the lifetime left, or 14 days".</summary>
    public static string Threshold(CertsOptions options)
        => $"less than {Percent(options.WarnFraction)} of the lifetime left" + (options.WarnDays is { } days ? $" or fewer than {days.ToString(CultureInfo.InvariantCulture)} days" : "");
}
