using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace WssKit.Certificates.Acme;

/// <summary>
/// The protocol of RFC 8555 over HTTPS: the directory, replay nonces (a badNonce refusal is retried with the fresh
/// nonce it carries), signed POSTs and POST-as-GETs, problem documents turned into <see cref="AcmeException"/>.
/// </summary>
public sealed class AcmeClient(HttpClient http, Uri directoryUrl, AccountKey key)
{
    private const int BadNonceRetries = 5;
    private JsonElement? _directory;
    private string? _nonce;

    /// <summary>The account URL once <see cref="AccountAsync"/> has run; requests are signed with it from then on.</summary>
    public Uri? AccountUrl { get; private set; }

    public AccountKey Key => key;

    /// <summary>The key authorization for a challenge token (RFC 8555 §8.1): what HTTP-01 serves and TLS-ALPN-01 hashes.</summary>
    public string KeyAuthorization(string token) => $"{token}.{key.Thumbprint}";

    /// <summary>Creates the account, or finds the existing one for this key; agrees to the terms of service.</summary>
    public async Task<Uri> AccountAsync(string? email, CancellationToken cancellationToken)
    {
        object payload = email is null
            ? new { termsOfServiceAgreed = true }
            : new { termsOfServiceAgreed = true, contact = new[] { $"mailto:{email}" } };
        var (response, _) = await PostAsync(await ResourceAsync("newAccount", cancellationToken), payload, cancellationToken);
        AccountUrl = response.Headers.Location ?? throw new AcmeException("the ACME server created an account but gave no account URL (Location)");
        return AccountUrl;
    }

    /// <summary>A new order for the names; returns its URL and body.</summary>
    public async Task<(Uri Url, JsonElement Order)> NewOrderAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var identifiers = names.Select(name => new { type = IPAddress.TryParse(name, out _) ? "ip" : "dns", value = name }).ToArray();
        var (response, body) = await PostAsync(await ResourceAsync("newOrder", cancellationToken), new { identifiers }, cancellationToken);
        return (response.Headers.Location ?? throw new AcmeException("the ACME server created an order but gave no order URL (Location)"), body);
    }

    /// <summary>A POST-as-GET of a resource (order, authorization, challenge).</summary>
    public async Task<JsonElement> GetAsync(Uri url, CancellationToken cancellationToken) => (await PostAsync(url, null, cancellationToken)).Body;

    /// <summary>Tells the server a challenge is ready to be validated.</summary>
    public async Task<JsonElement> RespondAsync(Uri challengeUrl, CancellationToken cancellationToken) => (await PostAsync(challengeUrl, new { }, cancellationToken)).Body;

    /// <summary>Sends the CSR (DER) to the order's finalize URL.</summary>
    public async Task<JsonElement> FinalizeAsync(Uri finalizeUrl, byte[] csr, CancellationToken cancellationToken)
        => (await PostAsync(finalizeUrl, new { csr = AccountKey.Base64Url(csr) }, cancellationToken)).Body;

    /// <summary>Downloads the issued chain (PEM, leaf first).</summary>
    public async Task<string> DownloadAsync(Uri certificateUrl, CancellationToken cancellationToken)
    {
        var (response, _) = await SendAsync(certificateUrl, null, cancellationToken, accept: "application/pem-certificate-chain");
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>
    /// ACME Renewal Information (RFC 9773): the window in which the CA suggests renewing <paramref name="leaf"/>, or
    /// null when the CA does not offer it (or the certificate names no authority key).
    /// </summary>
    public async Task<(DateTimeOffset Start, DateTimeOffset End)?> RenewalWindowAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 leaf, CancellationToken cancellationToken)
    {
        await ResourceAsync("newNonce", cancellationToken); // loads the directory
        if (!_directory!.Value.TryGetProperty("renewalInfo", out var baseUrl) || CertificateId(leaf) is not { } id)
        {
            return null;
        }
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{baseUrl.GetString()!.TrimEnd('/')}/{id}"), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }
        var window = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.GetProperty("suggestedWindow");
        return (window.GetProperty("start").GetDateTimeOffset(), window.GetProperty("end").GetDateTimeOffset());
    }

    /// <summary>The ARI certificate identifier: base64url(authority key identifier) "." base64url(serial number).</summary>
    internal static string? CertificateId(System.Security.Cryptography.X509Certificates.X509Certificate2 leaf)
        => leaf.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier is { } keyId
            ? $"{AccountKey.Base64Url(keyId.Span)}.{AccountKey.Base64Url(leaf.SerialNumberBytes.Span)}"
            : null;

    /// <summary>
    /// Polls a resource until its status leaves pending/processing/ready (as <paramref name="done"/> says), waiting as
    /// Retry-After asks (1 s by default, at most 10 s a time), within the token's limit.
    /// </summary>
    public async Task<JsonElement> PollAsync(Uri url, Func<string, bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (response, body) = await PostAsync(url, null, cancellationToken);
            var status = body.TryGetProperty("status", out var value) ? value.GetString() ?? "" : "";
            if (done(status))
            {
                return body;
            }
            var wait = RetryAfter(response) ?? TimeSpan.FromSeconds(1);
            await Task.Delay(wait > TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(10) : wait, cancellationToken);
        }
    }

    private async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(Uri url, object? payload, CancellationToken cancellationToken)
    {
        var (response, text) = await SendAsync(url, payload, cancellationToken);
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<(HttpResponseMessage Response, string Text)> SendAsync(Uri url, object? payload, CancellationToken cancellationToken, string accept = "application/json")
    {
        for (var attempt = 0; ; attempt++)
        {
            var nonce = _nonce ?? await FreshNonceAsync(cancellationToken);
            _nonce = null;
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent(key.Sign(url, nonce, AccountUrl, payload), Encoding.UTF8),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/jose+json");
            request.Headers.Accept.ParseAdd(accept);
            var response = await SendAsync(request, cancellationToken);
            _nonce = response.Headers.TryGetValues("Replay-Nonce", out var nonces) ? nonces.FirstOrDefault() : null;
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return (response, text);
            }
            var problem = Problem(response, text);
            // A nonce can be refused at any time (servers rotate them); the refusal carries a fresh one.
            if (problem.ProblemType?.EndsWith(":badNonce", StringComparison.Ordinal) == true && attempt < BadNonceRetries)
            {
                continue;
            }
            throw problem;
        }
    }

    private async Task<string> FreshNonceAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, await ResourceAsync("newNonce", cancellationToken));
        var response = await SendAsync(request, cancellationToken);
        return response.Headers.TryGetValues("Replay-Nonce", out var nonces) && nonces.FirstOrDefault() is { } nonce
            ? nonce
            : throw new AcmeException($"the ACME server at {directoryUrl.Authority} gave no Replay-Nonce: is {directoryUrl} an ACME directory?");
    }

    private async Task<Uri> ResourceAsync(string name, CancellationToken cancellationToken)
    {
        if (_directory is null)
        {
            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, directoryUrl), cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new AcmeException($"the ACME directory {directoryUrl} answered {(int)response.StatusCode}: check the URL", status: (int)response.StatusCode);
            }
            try
            {
                _directory = JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new AcmeException($"{directoryUrl} is not an ACME directory (not JSON): check the URL", innerException: e);
            }
        }
        return _directory.Value.TryGetProperty(name, out var url) && Uri.TryCreate(url.GetString(), UriKind.Absolute, out var resource)
            ? resource
            : throw new AcmeException($"the ACME directory {directoryUrl} has no '{name}': is it an ACME (RFC 8555) directory?");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            Exception innermost = e;
            while (innermost.InnerException is not null)
            {
                innermost = innermost.InnerException;
            }
            throw new AcmeException($"cannot reach the ACME server {request.RequestUri?.Authority}: {innermost.Message.TrimEnd('.')}", innerException: e);
        }
    }

    private static AcmeException Problem(HttpResponseMessage response, string text)
    {
        string? type = null;
        string? detail = null;
        try
        {
            var problem = JsonDocument.Parse(text).RootElement;
            type = problem.TryGetProperty("type", out var t) ? t.GetString() : null;
            detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : null;
        }
        catch (JsonException)
        {
            // Not a problem document: the status says enough.
        }
        var retryAfter = RetryAfter(response);
        var kind = type?.Split(':').LastOrDefault();
        var message = kind switch
        {
            "rateLimited" => $"the ACME server's rate limit is reached{(retryAfter is { } wait ? $"; it says to try again in {wait.TotalMinutes:0} minutes" : "")}: {detail}",
            _ => $"the ACME server refused the request ({(int)response.StatusCode}{(kind is null ? "" : $", {kind}")}): {detail ?? text}",
        };
        return new AcmeException(message, type, (int)response.StatusCode, retryAfter);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
        => response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };
}
