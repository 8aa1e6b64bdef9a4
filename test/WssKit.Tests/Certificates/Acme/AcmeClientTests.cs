using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WssKit.Certificates.Acme;

namespace WssKit.Tests.Certificates.Acme;

/// <summary>The ACME wire format (RFC 8555 §6.2 JWS) and the protocol's retries, against a scripted server.</summary>
public sealed class AcmeClientTests
{
    private static readonly Uri Directory = new("https://ca.test/dir");

    [Fact]
    public void Sign_FlattenedJwsWithJwk_VerifiesWithTheAccountKey()
    {
        using var key = AccountKey.Create();

        var jws = JsonDocument.Parse(key.Sign(new Uri("https://ca.test/new-acct"), "n0nce", null, new { termsOfServiceAgreed = true })).RootElement;
        var header = JsonDocument.Parse(FromBase64Url(jws.GetProperty("protected").GetString()!)).RootElement;
        var jwk = header.GetProperty("jwk");
        using var verifier = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = FromBase64Url(jwk.GetProperty("x").GetString()!), Y = FromBase64Url(jwk.GetProperty("y").GetString()!) },
        });

        Assert.Equal(("ES256", "n0nce", "https://ca.test/new-acct"), (header.GetProperty("alg").GetString(), header.GetProperty("nonce").GetString(), header.GetProperty("url").GetString()));
        Assert.True(verifier.VerifyData(Encoding.ASCII.GetBytes($"{jws.GetProperty("protected").GetString()}.{jws.GetProperty("payload").GetString()}"),
            FromBase64Url(jws.GetProperty("signature").GetString()!), HashAlgorithmName.SHA256));
        Assert.Equal("""{"termsOfServiceAgreed":true}""", Encoding.UTF8.GetString(FromBase64Url(jws.GetProperty("payload").GetString()!)));
        Assert.DoesNotContain('=', jws.GetProperty("signature").GetString()!);
    }

    [Fact]
    public void Sign_PostAsGetWithKid_EmptyPayloadAndNoJwk()
    {
        using var key = AccountKey.Create();

        var jws = JsonDocument.Parse(key.Sign(new Uri("https://ca.test/order/1"), "n", new Uri("https://ca.test/acct/7"), null)).RootElement;
        var header = JsonDocument.Parse(FromBase64Url(jws.GetProperty("protected").GetString()!)).RootElement;

        Assert.Equal("", jws.GetProperty("payload").GetString());
        Assert.Equal("https://ca.test/acct/7", header.GetProperty("kid").GetString());
        Assert.False(header.TryGetProperty("jwk", out _));
    }

    [Fact]
    public void Thumbprint_IsTheRfc7638HashOfTheSortedJwk_AndSurvivesAPemRoundTrip()
    {
        using var key = AccountKey.Create();
        using var again = AccountKey.FromPem(key.ExportPem());

        Assert.Equal(Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(key.Jwk))).TrimEnd('=').Replace('+', '-').Replace('/', '_'), key.Thumbprint);
        Assert.StartsWith("""{"crv":"P-256","kty":"EC","x":""", key.Jwk);
        Assert.Equal(key.Thumbprint, again.Thumbprint);
    }

    [Fact]
    public async Task BadNonce_RetriedWithTheNonceTheRefusalCarries()
    {
        var server = new ScriptedServer();
        server.Post("https://ca.test/new-acct", Problem(HttpStatusCode.BadRequest, "badNonce", nonce: "fresh"));
        server.Post("https://ca.test/new-acct", Created("https://ca.test/acct/1", nonce: "next"));
        using var key = AccountKey.Create();
        var client = new AcmeClient(new HttpClient(server), Directory, key);

        var account = await client.AccountAsync("ops@example.com", CancellationToken.None);

        Assert.Equal("https://ca.test/acct/1", account.ToString());
        Assert.Equal(["first", "fresh"], server.NoncesUsed);
    }

    [Fact]
    public async Task RateLimited_SaysSoWithTheRetryAfter()
    {
        var server = new ScriptedServer();
        var limited = Problem((HttpStatusCode)429, "rateLimited", detail: "too many certificates for this domain");
        limited.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMinutes(30));
        server.Post("https://ca.test/new-acct", limited);
        using var key = AccountKey.Create();
        var client = new AcmeClient(new HttpClient(server), Directory, key);

        var error = await Assert.ThrowsAsync<AcmeException>(() => client.AccountAsync(null, CancellationToken.None));

        Assert.True(error.IsRateLimited);
        Assert.Equal(TimeSpan.FromMinutes(30), error.RetryAfter);
        Assert.Equal("the ACME server's rate limit is reached; it says to try again in 30 minutes: too many certificates for this domain", error.Message);
    }

    [Fact]
    public async Task RenewalWindow_AskedWithTheAriCertificateId_WhenTheCaOffersIt()
    {
        var server = new ScriptedServer { OffersRenewalInfo = true };
        var root = WssKit.Tests.TestSupport.TestCertificates.CreateAuthority("Test ARI Root");
        var leaf = WssKit.Tests.TestSupport.TestCertificates.CreateLeaf(["example.com"], root);
        using var key = AccountKey.Create();
        var client = new AcmeClient(new HttpClient(server), Directory, key);

        var window = await client.RenewalWindowAsync(leaf, CancellationToken.None);

        Assert.Equal((DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse("2026-12-03T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)), window);
        var keyId = leaf.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.ToArray();
        Assert.Equal($"{Base64Url(keyId)}.{Base64Url(leaf.SerialNumberBytes.ToArray())}", server.RenewalInfoAsked);
    }

    [Fact]
    public async Task RenewalWindow_CaWithoutAri_Null()
    {
        var leaf = WssKit.Tests.TestSupport.TestCertificates.CreateLeaf(["example.com"], WssKit.Tests.TestSupport.TestCertificates.CreateAuthority("Root"));
        using var key = AccountKey.Create();

        Assert.Null(await new AcmeClient(new HttpClient(new ScriptedServer()), Directory, key).RenewalWindowAsync(leaf, CancellationToken.None));
    }

    [Fact]
    public void RenewalTime_InsideTheSuggestedWindow_ElseAtTwoThirdsOfTheLifetime()
    {
        var leaf = WssKit.Tests.TestSupport.TestCertificates.CreateLeaf(["example.com"], WssKit.Tests.TestSupport.TestCertificates.CreateAuthority("Root"),
            notBefore: new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), notAfter: new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var window = (new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 2, 11, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 2, 6, 0, 0, 0, TimeSpan.Zero), RenewalTime.For(leaf, window, 0.5));
        Assert.Equal(window.Item1, RenewalTime.For(leaf, window, 0));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), RenewalTime.For(leaf, null, 0.5)); // 60 of 90 days
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static HttpResponseMessage Problem(HttpStatusCode status, string type, string detail = "refused", string nonce = "n")
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent($$"""{"type":"urn:ietf:params:acme:error:{{type}}","detail":"{{detail}}"}""", Encoding.UTF8, "application/problem+json"),
        };
        response.Headers.Add("Replay-Nonce", nonce);
        return response;
    }

    private static HttpResponseMessage Created(string location, string nonce)
    {
        var response = new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent("""{"status":"valid"}""") };
        response.Headers.Location = new Uri(location);
        response.Headers.Add("Replay-Nonce", nonce);
        return response;
    }

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }

    /// <summary>An ACME server in memory: the directory, nonces, and queued answers to POSTs.</summary>
    private sealed class ScriptedServer : HttpMessageHandler
    {
        private readonly Dictionary<string, Queue<HttpResponseMessage>> _posts = [];

        public List<string> NoncesUsed { get; } = [];

        public bool OffersRenewalInfo { get; init; }

        public string? RenewalInfoAsked { get; private set; }

        public void Post(string url, HttpResponseMessage response)
        {
            if (!_posts.TryGetValue(url, out var queue))
            {
                _posts[url] = queue = new Queue<HttpResponseMessage>();
            }
            queue.Enqueue(response);
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.StartsWith("/ari/", StringComparison.Ordinal))
            {
                RenewalInfoAsked = request.RequestUri.AbsolutePath["/ari/".Length..];
                return new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent("""{"suggestedWindow":{"start":"2026-12-01T00:00:00Z","end":"2026-12-03T00:00:00Z"}}"""),
                };
            }
            if (request.Method == HttpMethod.Get)
            {
                return new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent($$"""{"newNonce":"https://ca.test/nonce","newAccount":"https://ca.test/new-acct","newOrder":"https://ca.test/new-order"{{(OffersRenewalInfo ? ",\"renewalInfo\":\"https://ca.test/ari/\"" : "")}}}"""),
                };
            }
            if (request.Method == HttpMethod.Head)
            {
                var fresh = new HttpResponseMessage(HttpStatusCode.OK);
                fresh.Headers.Add("Replay-Nonce", "first");
                return fresh;
            }
            var jws = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken)).RootElement;
            NoncesUsed.Add(JsonDocument.Parse(FromBase64Url(jws.GetProperty("protected").GetString()!)).RootElement.GetProperty("nonce").GetString()!);
            return _posts[request.RequestUri!.ToString()].Dequeue();
        }
    }
}
