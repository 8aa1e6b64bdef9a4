using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace WssKit.Certificates.Acme;

/// <summary>
/// The ACME account key (ES256, ECDSA P-256) and the JSON Web Signatures made with it (RFC 7515 flattened form, as
/// RFC 8555 §6.2 asks): the JWK until the account exists, its URL ("kid") afterwards.
/// </summary>
public sealed class AccountKey : IDisposable
{
    private readonly ECDsa _key;

    private AccountKey(ECDsa key) => _key = key;

    /// <summary>A new key.</summary>
    public static AccountKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>A key from its PKCS#8 PEM.</summary>
    public static AccountKey FromPem(string pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return key.KeySize == 256 ? new AccountKey(key) : throw new CryptographicException("the ACME account key must be ECDSA P-256");
    }

    /// <summary>The private key as PKCS#8 PEM, to keep (mode 0600).</summary>
    public string ExportPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>The public key as a JWK with its members in the order RFC 7638 hashes them.</summary>
    public string Jwk
    {
        get
        {
            var point = _key.ExportParameters(includePrivateParameters: false).Q;
            return $$"""{"crv":"P-256","kty":"EC","x":"{{Base64Url(point.X!)}}","y":"{{Base64Url(point.Y!)}}"}""";
        }
    }

    /// <summary>The RFC 7638 thumbprint, the second half of every key authorization.</summary>
    public string Thumbprint => Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(Jwk)));

    /// <summary>A signed request body: <paramref name="payload"/> null is POST-as-GET (an empty payload).</summary>
    public string Sign(Uri url, string nonce, Uri? accountUrl, object? payload)
    {
        var header = accountUrl is null
            ? $$"""{"alg":"ES256","jwk":{{Jwk}},"nonce":{{JsonSerializer.Serialize(nonce)}},"url":{{JsonSerializer.Serialize(url.ToString())}}}"""
            : $$"""{"alg":"ES256","kid":{{JsonSerializer.Serialize(accountUrl.ToString())}},"nonce":{{JsonSerializer.Serialize(nonce)}},"url":{{JsonSerializer.Serialize(url.ToString())}}}""";
        var protectedPart = Base64Url(Encoding.UTF8.GetBytes(header));
        var payloadPart = payload is null ? "" : Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload));
        // ES256 signatures are the raw r||s pair (IEEE P1363), which is what ECDsa.SignData produces.
        var signature = _key.SignData(Encoding.ASCII.GetBytes($"{protectedPart}.{payloadPart}"), HashAlgorithmName.SHA256);
        return JsonSerializer.Serialize(new { @protected = protectedPart, payload = payloadPart, signature = Base64Url(signature) });
    }

    public void Dispose() => _key.Dispose();

    internal static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
