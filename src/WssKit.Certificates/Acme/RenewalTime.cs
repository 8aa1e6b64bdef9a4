using System.Security.Cryptography.X509Certificates;

namespace WssKit.Certificates.Acme;

/// <summary>
/// When to renew: at a random moment of the window the CA suggests through ACME Renewal Information (spreading
/// renewals, and moving them earlier when the CA must revoke), otherwise once two thirds of the lifetime have passed.
/// </summary>
public static class RenewalTime
{
    public static DateTimeOffset For(X509Certificate2 leaf, (DateTimeOffset Start, DateTimeOffset End)? suggested, double random)
    {
        if (suggested is { } window && window.End > window.Start)
        {
            return window.Start + (window.End - window.Start) * random;
        }
        var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
        return notBefore + (notAfter - notBefore) * 2 / 3;
    }
}
