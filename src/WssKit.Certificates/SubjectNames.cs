using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace WssKit.Certificates;

/// <summary>Reads and matches the names a certificate is valid for (RFC 6125: subject alternative names only).</summary>
public static class SubjectNames
{
    /// <summary>The DNS names and IP addresses in the certificate's subject alternative name extension.</summary>
    public static IReadOnlyList<string> Of(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
                names.AddRange(san.EnumerateIPAddresses().Select(address => address.ToString()));
            }
        }
        return names;
    }

    /// <summary>The subject alternative name extension for host names and IP addresses (each told apart by its form).</summary>
    public static X509Extension Extension(IEnumerable<string> hostsOrAddresses)
    {
        var builder = new SubjectAlternativeNameBuilder();
        foreach (var name in hostsOrAddresses)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                builder.AddIpAddress(address);
            }
            else
            {
                builder.AddDnsName(name);
            }
        }
        return builder.Build(critical: false);
    }

    /// <summary>
    /// Whether the certificate is valid for <paramref name="hostOrAddress"/>: a DNS name (wildcards in the left-most
    /// label only) or an IP address. The subject's common name is not used, as browsers no longer use it.
    /// </summary>
    public static bool Covers(X509Certificate2 certificate, string hostOrAddress)
    {
        var name = hostOrAddress.Trim('[', ']');
        return certificate.MatchesHostname(IPAddress.TryParse(name, out var address) ? address.ToString() : name,
            allowWildcards: true, allowCommonName: false);
    }
}
