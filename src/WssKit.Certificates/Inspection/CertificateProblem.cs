namespace WssKit.Certificates.Inspection;

/// <summary>How bad a certificate problem is: errors stop a server from starting, warnings do not.</summary>
public enum ProblemSeverity
{
    /// <summary>Worth knowing; nothing is wrong.</summary>
    Info,
    /// <summary>Some clients will fail, or will fail soon.</summary>
    Warning,
    /// <summary>Clients will fail: the certificate must not be served.</summary>
    Error,
}

/// <summary>One thing found wrong with a certificate, with a message that names the fix.</summary>
/// <param name="Code">A stable id, in the vocabulary of <c>wss check</c> (for example <c>cert-expired</c>).</param>
/// <param name="Severity">Whether it stops the certificate from being served.</param>
/// <param name="Message">One sentence: the problem and how to fix it.</param>
public sealed record CertificateProblem(string Code, ProblemSeverity Severity, string Message);
