namespace WssKit.Certificates;

/// <summary>When a certificate should be replaced: once two thirds of its lifetime have passed (as Let's Encrypt advises).</summary>
public static class Renewal
{
    /// <summary>The moment two thirds of the validity period have passed.</summary>
    public static DateTimeOffset DueAt(ServerCertificate certificate)
        => certificate.NotBefore + (certificate.NotAfter - certificate.NotBefore) * 2 / 3;

    /// <summary>Whether the certificate has less than a third of its lifetime left at <paramref name="now"/>.</summary>
    public static bool IsDue(ServerCertificate certificate, DateTimeOffset now) => now >= DueAt(certificate);
}
