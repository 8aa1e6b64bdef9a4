using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WssKit.Certificates;

/// <summary>A certificate ready to serve: the leaf with its private key and the chain sent with it.</summary>
public sealed class ServerCertificate
{
    /// <summary>Creates a served certificate from a leaf that has its private key.</summary>
    /// <param name="leaf">The end-entity certificate, with its private key.</param>
    /// <param name="chain">Certificates sent after the leaf (intermediates), in order; the leaf itself is not in it.</param>
    /// <param name="source">Where it came from, for people: a file path, "development CA", ...</param>
    public ServerCertificate(X509Certificate2 leaf, X509Certificate2Collection chain, string source)
    {
        if (!leaf.HasPrivateKey)
        {
            throw new ArgumentException("the leaf certificate must carry its private key", nameof(leaf));
        }
        Leaf = leaf;
        Chain = chain;
        Source = source;
        Fingerprint = FormatFingerprint(leaf);
        Names = SubjectNames.Of(leaf);
    }

    /// <summary>The end-entity certificate, with its private key.</summary>
    public X509Certificate2 Leaf { get; }

    /// <summary>The certificates served after the leaf (intermediates), without the leaf.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>Where the certificate came from, for people.</summary>
    public string Source { get; }

    /// <summary>SHA-256 fingerprint of the leaf, as colon-separated upper-case hex (the form browsers show).</summary>
    public string Fingerprint { get; }

    /// <summary>The host names and IP addresses the leaf is valid for (subject alternative names).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The leaf's serial number in hex, as <c>openssl x509 -serial</c> prints it.</summary>
    public string SerialNumber => Leaf.SerialNumber;

    /// <summary>End of the leaf's validity.</summary>
    public DateTimeOffset NotAfter => new(Leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>Start of the leaf's validity.</summary>
    public DateTimeOffset NotBefore => new(Leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);

    private static string FormatFingerprint(X509Certificate2 certificate)
        => Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2)
            .Select(pair => new string(pair)).Aggregate((left, right) => left + ":" + right);
}
