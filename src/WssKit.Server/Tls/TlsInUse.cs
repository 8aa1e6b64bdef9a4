using WssKit.Server.Tls.Native;

namespace WssKit.Server.Tls;

/// <summary>
/// What serves the TLS ports: OpenSSL driven directly, or .NET's SslStream (itself on OpenSSL on Linux). Shown at
/// startup and in the metrics, because throughput and memory per connection depend on it and on OpenSSL's version.
/// </summary>
/// <param name="Native">Whether the native TLS layer takes the connections.</param>
/// <param name="Library">The loaded OpenSSL ("OpenSSL 3.0.22"), or null when none can be loaded.</param>
internal sealed record TlsInUse(bool Native, string? Library)
{
    /// <summary>
    /// As the native TLS layer decides: it takes connections when every site has an OpenSSL context, which sites only
    /// get with the OpenSSL engine chosen and OpenSSL loaded.
    /// </summary>
    public static TlsInUse For(ServedCertificates certificates) => new(certificates.AllNative, LibSsl.Version);

    /// <summary>The engine, named as <c>--tls-engine</c> names it.</summary>
    public string Engine => Native ? "openssl" : "dotnet";

    public string Description => Native ? $"{Library}, driven directly"
        : Library is null ? ".NET SslStream"
        : $".NET SslStream (on {Library})";
}
