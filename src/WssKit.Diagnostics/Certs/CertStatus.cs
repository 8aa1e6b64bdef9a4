namespace WssKit.Diagnostics.Certs;

/// <summary>Whether a target needs attention; ordered from best to worst.</summary>
public enum CertStatus
{
    /// <summary>Trusted, valid, covers the name, and more than the warning threshold of its lifetime left.</summary>
    Ok,
    /// <summary>Still working, but due for renewal (or serving an expired extra certificate).</summary>
    Warning,
    /// <summary>Clients fail now: expired, not yet valid, wrong name, untrusted, or no certificate could be fetched.</summary>
    Error,
}
