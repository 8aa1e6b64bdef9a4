using System.Net.Security;
using System.Net.Sockets;
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
    private readonly bool _secure = url.Scheme == "wss";

    public Uri Url => url;

    public WssClientOptions Options => options;

    /// <summary>Opens one connection; failures are <see cref="WssConnectException"/>s naming the stage.</summary>
    public async Task<OpenedStream> OpenAsync(CancellationToken cancellationToken)
    {
        var host = url.IdnHost;
        Socket socket;
        using (var connectLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connectLimit.CancelAfter(options.ConnectTimeout);
            try
            {
                socket = await TcpConnector.ConnectAsync(host, url.Port, connectLimit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new WssConnectException(ConnectStage.Tcp, $"no connection to {host}:{url.Port} within {options.ConnectTimeout.TotalSeconds:0.#} s (a firewall may drop the packets, or the server's backlog is full)");
            }
        }
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        using var handshakeLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handshakeLimit.CancelAfter(options.HandshakeTimeout);
        var stage = ConnectStage.Tls;
        SslStream? tls = null;
        try
        {
            if (_secure)
            {
                tls = await TlsConnector.AuthenticateAsync(stream, options.ServerName ?? host, options, handshakeLimit.Token);
                stream = tls;
            }
            stage = ConnectStage.Upgrade;
            var upgrade = await UpgradeHandshake.RunAsync(stream, url, options, handshakeLimit.Token);
            return new OpenedStream(stream, upgrade.Leftover, tls?.SslProtocol.ToString(), tls?.NegotiatedCipherSuite.ToString());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await stream.DisposeAsync();
            throw new WssConnectException(stage, $"no {(stage == ConnectStage.Tls ? "TLS handshake" : "answer to the upgrade")} within {options.HandshakeTimeout.TotalSeconds:0.#} s");
        }
        catch (IOException e)
        {
            await stream.DisposeAsync();
            throw new WssConnectException(stage, $"the connection broke: {e.Message.TrimEnd('.')}", e);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }
}
