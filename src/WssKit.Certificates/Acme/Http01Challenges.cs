using System.Collections.Concurrent;

namespace WssKit.Certificates.Acme;

/// <summary>
/// The HTTP-01 answers being offered right now (token to key authorization), which the plain HTTP port serves at
/// /.well-known/acme-challenge/TOKEN while a CA validates.
/// </summary>
public sealed class Http01Challenges
{
    public const string PathPrefix = "/.well-known/acme-challenge/";

    private readonly ConcurrentDictionary<string, string> _answers = new(StringComparer.Ordinal);

    public void Publish(string token, string keyAuthorization) => _answers[token] = keyAuthorization;

    public void Withdraw(string token) => _answers.TryRemove(token, out _);

    /// <summary>The answer for a request path, when it asks for a published token.</summary>
    public bool TryAnswer(string path, out string keyAuthorization)
    {
        keyAuthorization = "";
        return path.StartsWith(PathPrefix, StringComparison.Ordinal) && _answers.TryGetValue(path[PathPrefix.Length..], out keyAuthorization!);
    }
}
