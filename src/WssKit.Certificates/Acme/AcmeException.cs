namespace WssKit.Certificates.Acme;

/// <summary>
/// A refusal by the ACME server (an RFC 7807 problem document: type and detail), or a failure to reach it; the message
/// says what happened in words a person can act on.
/// </summary>
public sealed class AcmeException(string message, string? problemType = null, int? status = null, TimeSpan? retryAfter = null, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>The problem type, e.g. urn:ietf:params:acme:error:rateLimited.</summary>
    public string? ProblemType { get; } = problemType;

    /// <summary>The HTTP status of the refusal.</summary>
    public int? Status { get; } = status;

    /// <summary>When the server says to try again (Retry-After), for rate limits.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool IsRateLimited => ProblemType?.EndsWith(":rateLimited", StringComparison.Ordinal) == true;
}
