using System.Security.Cryptography.X509Certificates;

namespace WssKit.Diagnostics;

/// <summary>What wss check sends, and what it trusts.</summary>
public sealed record CheckOptions
{
    /// <summary>Extra request headers for the upgrade (a token, a cookie).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The Origin a browser on the site would send. Default: https://HOST of the URL.</summary>
    public string? Origin { get; init; }

    /// <summary>Subprotocols to offer.</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];

    /// <summary>Roots trusted besides the system store (a private CA); a chain ending at one of them is trusted.</summary>
    public X509Certificate2Collection ExtraRoots { get; init; } = [];

    /// <summary>An HTTP proxy to compare the direct path with (CONNECT refused, certificate replaced, upgrade lost). Default: none.</summary>
    public Uri? Proxy { get; init; }

    /// <summary>Hold idle connections this long (one silent, one pinging) to find idle timeouts on the path. Default: not probed.</summary>
    public TimeSpan? Idle { get; init; }

    /// <summary>Measure how much data the path carries (64 KiB echoes for 5 s). Default false.</summary>
    public bool Throughput { get; init; }

    /// <summary>Whole-check limit; each stage has its own share of it.</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(9.5);

    /// <summary>The largest message the integrity probe sends (it doubles up to this).</summary>
    public int MaxProbeMessage { get; init; } = 1 << 20;
}
