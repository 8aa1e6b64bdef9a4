namespace WssKit.Diagnostics.Certs;

/// <summary>What wss certs found at one target. Certificate figures are null when no certificate could be fetched.</summary>
public sealed record CertResult
{
    /// <summary>The endpoint probed.</summary>
    public required CertTarget Target { get; init; }

    /// <summary>The worst of <see cref="Problems"/>; ok when there are none.</summary>
    public CertStatus Status => Problems.Count == 0 ? CertStatus.Ok : Problems.Max(problem => problem.Severity);

    /// <summary>Why the target needs attention, worst first; empty when it does not.</summary>
    public required IReadOnlyList<CertProblem> Problems { get; init; }

    /// <summary>Connect and handshake, or until the probe failed.</summary>
    public TimeSpan Took { get; init; }

    /// <summary>The server's certificate, or null when none was fetched.</summary>
    public CertificateFacts? Leaf { get; init; }

    /// <summary>The leaf's DNS names and addresses (subject alternative names, or the common name without them).</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>Whether the leaf covers the target's host name or address.</summary>
    public bool NameMatches { get; init; }

    /// <summary>The certificates the server sent after its leaf, in the order sent.</summary>
    public IReadOnlyList<CertificateFacts> Served { get; init; } = [];

    /// <summary>The served certificate (leaf included) that expires first: the earliest expiry.</summary>
    public CertificateFacts? Earliest { get; init; }

    /// <summary>The best chain built from the served certificates, the system's roots and the extra roots: leaf first, root last.</summary>
    public IReadOnlyList<CertificateFacts> Chain { get; init; } = [];

    /// <summary>The certificate of <see cref="Chain"/> that expires first (the leaf included): the chain expiry.</summary>
    public CertificateFacts? ChainEarliest { get; init; }

    /// <summary>Whether <see cref="Chain"/> ends at a trusted root (dates aside: they are judged on their own).</summary>
    public bool ChainTrusted { get; init; }

    /// <summary>Days until the leaf expires, negative once it has.</summary>
    public double? DaysLeft { get; init; }

    /// <summary>The fraction of the leaf's lifetime left, from 0 (expired) to 1 (not yet valid).</summary>
    public double? LifetimeLeft { get; init; }

    /// <summary>Whether a certificate was fetched at all.</summary>
    public bool ProbeSucceeded => Leaf is not null;
}
