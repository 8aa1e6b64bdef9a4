using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace WssKit.Certificates;

/// <summary>TLS server verification against given roots only (a private or test CA), with the chain the server sent.</summary>
public static class PrivateRoots
{
    /// <summary>A validation callback that accepts a server only when its chain, as sent, leads to one of <paramref name="roots"/>.</summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2Collection roots) => (_, certificate, served, errors) =>
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || certificate is not X509Certificate2 leaf)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.ExtraStore.AddRange(served?.ChainPolicy.ExtraStore ?? []);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    };
}
