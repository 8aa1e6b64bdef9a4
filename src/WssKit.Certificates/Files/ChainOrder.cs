using System.Security.Cryptography.X509Certificates;

namespace WssKit.Certificates.Files;

/// <summary>Orders the certificates served after a leaf as clients expect them: each one issued the one before.</summary>
internal static class ChainOrder
{
    public static X509Certificate2Collection Arrange(X509Certificate2 leaf, IEnumerable<X509Certificate2> certificates)
    {
        var rest = certificates.Where(certificate => !certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span)).ToList();
        var ordered = new X509Certificate2Collection();
        var current = leaf;
        while (!IsSelfIssued(current) && rest.FirstOrDefault(candidate => candidate.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData)) is { } issuer)
        {
            ordered.Add(issuer);
            rest.Remove(issuer);
            current = issuer;
        }
        // Certificates that do not link up are kept, after the chain, as the file gave them.
        foreach (var unrelated in rest)
        {
            ordered.Add(unrelated);
        }
        return ordered;
    }

    public static bool IsSelfIssued(X509Certificate2 certificate)
        => certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
}
