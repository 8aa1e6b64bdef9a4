namespace WssKit.Diagnostics.Certs;

/// <summary>One reason a target needs attention.</summary>
/// <param name="Code">A stable code (docs/certs.md), in the vocabulary of wss check where one fits: cert-expired, tcp-refused.</param>
/// <param name="Severity">Warning or error.</param>
/// <param name="Message">A short sentence for the table's note column.</param>
public sealed record CertProblem(string Code, CertStatus Severity, string Message);
