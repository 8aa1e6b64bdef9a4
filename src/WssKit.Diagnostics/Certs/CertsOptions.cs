using System.Security.Cryptography.X509Certificates;

namespace WssKit.Diagnostics.Certs;

/// <summary>How wss certs probes its targets and when it warns.</summary>
public sealed record CertsOptions
{
    /// <summary>The warning threshold by default: renew once a third of the lifetime is left, as ACME clients do.</summary>
    public const double DefaultWarnFraction = 1.0 / 3;

    /// <summary>Warn when less than this fraction of the certificate's lifetime is left. Default: one third.</summary>
    public double WarnFraction { get; init; } = DefaultWarnFraction;

    /// <summary>Also warn when fewer than this many days are left. Default: none (only the fraction).</summary>
    public double? WarnDays { get; init; }

    /// <summary>Limit for each target: TCP connect and TLS handshake together. Default: 5 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many targets are probed at once. Default: 16.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>Roots trusted besides the system store (a private CA). Default: none.</summary>
    public X509Certificate2Collection ExtraRoots { get; init; } = [];

    /// <summary>The clock expiry is judged by. Default: the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
