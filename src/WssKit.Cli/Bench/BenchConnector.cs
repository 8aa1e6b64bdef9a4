using WssKit.Client;
using WssKit.Client.Connecting;

namespace WssKit.Cli.Bench;

/// <summary>An upgraded connection as the load generator drives it: the raw stream after the 101, and what came with it.</summary>
internal sealed record OpenedStream(Stream Stream, byte[] Leftover, string? TlsVersion, string? Cipher);

/// <summary>
/// Opens connections with the client library's own stages (TCP, TLS with its certificate check, the upgrade and
/// its checks) but hands back the stream itself, so the load loops can batch frames instead of going through
/// <see cref="WssClient"/>'s one-message-per-call API. Direct connections only: a proxy would be what is measured.
/// </summary>
internal sealed class BenchConnector(Uri url, WssClientOptions options)
{
    public Uri Url => url;

    public WssClientOptions Options => options;

    /// <summary>Opens one connection; failures are <see cref="WssConnectException"/>s naming the stage.</summary>
    public async Task<OpenedStream> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = await StagedConnection.OpenAsync(url, options, cancellationToken);
        return new OpenedStream(opened.Stream, opened.Upgrade.Leftover, opened.Tls?.SslProtocol.ToString(), opened.Tls?.NegotiatedCipherSuite.ToString());
    }
}
