namespace WssKit.Diagnostics.Certs;

/// <summary>When a certificate is due for renewal: less than a fraction of its lifetime left, or (when set) fewer than some days.</summary>
internal sealed record ExpiryThreshold(double Fraction, double? Days)
{
    public static ExpiryThreshold Of(CertsOptions options) => new(options.WarnFraction, options.WarnDays);

    /// <summary>Whether <paramref name="left"/> (time until an expiry) is inside the warning window of a certificate with <paramref name="lifetime"/>.</summary>
    public bool IsDue(TimeSpan lifetime, TimeSpan left)
        => left < lifetime * Fraction || (Days is { } days && left < TimeSpan.FromDays(days));
}
