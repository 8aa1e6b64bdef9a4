using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace WssKit.Certificates.Acme;

/// <summary>Where challenge answers are published: HTTP-01 on the plain HTTP port, or TLS-ALPN-01 on the TLS port.</summary>
public sealed record AcmeChallenges(Http01Challenges? Http, TlsAlpn01Challenges? TlsAlpn)
{
    public static implicit operator AcmeChallenges(Http01Challenges http) => new(http, null);

    public static implicit operator AcmeChallenges(TlsAlpn01Challenges tlsAlpn) => new(null, tlsAlpn);

    /// <summary>The challenge type these answers prove: http-01 when the plain HTTP port serves them.</summary>
    public string Type => Http is not null ? "http-01" : "tls-alpn-01";
}

/// <summary>
/// One certificate from an ACME CA: an order for the names, each authorization proven with HTTP-01 or TLS-ALPN-01,
/// a CSR for a new ECDSA P-256 key, and the chain the CA issues.
/// </summary>
public static class AcmeIssuer
{
    public static async Task<ServerCertificate> IssueAsync(AcmeClient client, IReadOnlyList<string> names, string? email, AcmeChallenges challenges, CancellationToken cancellationToken)
    {
        if (client.AccountUrl is null)
        {
            await client.AccountAsync(email, cancellationToken);
        }
        var (orderUrl, order) = await client.NewOrderAsync(names, cancellationToken);
        foreach (var authorization in order.GetProperty("authorizations").EnumerateArray().Select(a => new Uri(a.GetString()!)))
        {
            await AuthorizeAsync(client, authorization, challenges, cancellationToken);
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(SubjectNames.Extension(names));
        await client.FinalizeAsync(new Uri(order.GetProperty("finalize").GetString()!), request.CreateSigningRequest(), cancellationToken);
        var issued = await client.PollAsync(orderUrl, status => status is "valid" or "invalid", cancellationToken);
        if (issued.GetProperty("status").GetString() != "valid" || !issued.TryGetProperty("certificate", out var certificateUrl))
        {
            throw new AcmeException($"the ACME server did not issue the certificate for {string.Join(", ", names)}: order {Describe(issued)}");
        }
        var pem = await client.DownloadAsync(new Uri(certificateUrl.GetString()!), cancellationToken);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(pem);
        if (chain.Count == 0)
        {
            throw new AcmeException("the ACME server's certificate download holds no PEM certificate");
        }
        var leaf = chain[0].CopyWithPrivateKey(key);
        chain.RemoveAt(0);
        return new ServerCertificate(leaf, chain, $"ACME ({client.AccountUrl?.Authority})");
    }

    private static async Task AuthorizeAsync(AcmeClient client, Uri authorizationUrl, AcmeChallenges challenges, CancellationToken cancellationToken)
    {
        var authorization = await client.GetAsync(authorizationUrl, cancellationToken);
        var name = authorization.GetProperty("identifier").GetProperty("value").GetString();
        if (authorization.GetProperty("status").GetString() == "valid")
        {
            return; // proven recently, the CA remembers
        }
        var challenge = authorization.GetProperty("challenges").EnumerateArray().FirstOrDefault(c => c.GetProperty("type").GetString() == challenges.Type);
        if (challenge.ValueKind != JsonValueKind.Object)
        {
            throw new AcmeException($"the ACME server offers no {challenges.Type} challenge for {name}");
        }
        var token = challenge.GetProperty("token").GetString()!;
        var keyAuthorization = client.KeyAuthorization(token);
        challenges.Http?.Publish(token, keyAuthorization);
        challenges.TlsAlpn?.Publish(name!, keyAuthorization);
        try
        {
            await client.RespondAsync(new Uri(challenge.GetProperty("url").GetString()!), cancellationToken);
            var result = await client.PollAsync(authorizationUrl, status => status is "valid" or "invalid" or "deactivated" or "expired" or "revoked", cancellationToken);
            if (result.GetProperty("status").GetString() != "valid")
            {
                throw new AcmeException(challenges.Http is not null
                    ? $"the CA could not validate {name} over HTTP-01: {Describe(result)}. It fetches http://{name}/.well-known/acme-challenge/{token} from the internet: port 80 must reach this server"
                    : $"the CA could not validate {name} over TLS-ALPN-01: {Describe(result)}. It connects to {name} port 443 from the internet asking for ALPN acme-tls/1: port 443 must reach this server");
            }
        }
        finally
        {
            challenges.Http?.Withdraw(token);
            challenges.TlsAlpn?.Withdraw(name!);
        }
    }

    /// <summary>The status and the first error a resource reports (a failed challenge's detail).</summary>
    private static string Describe(JsonElement resource)
    {
        var status = resource.TryGetProperty("status", out var s) ? s.GetString() : "unknown";
        var detail = resource.TryGetProperty("challenges", out var challenges)
            ? challenges.EnumerateArray().Where(c => c.TryGetProperty("error", out _)).Select(c => c.GetProperty("error").GetProperty("detail").GetString()).FirstOrDefault()
            : resource.TryGetProperty("error", out var error) && error.TryGetProperty("detail", out var d) ? d.GetString() : null;
        return detail is null ? $"status {status}" : $"status {status} ({detail})";
    }
}
