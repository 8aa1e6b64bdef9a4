using System.Net.Security;

namespace WssKit.Client.Connecting;

/// <summary>An upgraded connection: the stream after the 101, what the server agreed to, and the TLS session when there is one.</summary>
internal sealed record OpenedConnection(Stream Stream, UpgradeResult Upgrade, SslStream? Tls);

/// <summary>
/// The connect stages every client of the library goes through: <see cref="WssClient"/>, and wss bench, which
/// drives the upgraded stream itself.
/// </summary>
internal static class StagedConnection
{
    /// <summary>DNS, TCP (or the proxy tunnel), TLS and the upgrade, each bounded and each failure named for its stage.</summary>
    /// <exception cref="WssConnectException">A stage failed; the message says which and why.</exception>
    public static async Task<OpenedConnection> OpenAsync(Uri uri, WssClientOptions options, CancellationToken cancellationToken)
    {
        var secure = uri.Scheme switch
        {
            "wss" or "https" => true,
            "ws" or "http" => false,
            _ => throw new ArgumentException($"'{uri}' is not a ws:// or wss:// URL", nameof(uri)),
        };
        var host = uri.IdnHost;
        var proxy = ProxyTunnel.For(uri, options, Environment.GetEnvironmentVariable);
        Stream stream;
        using (var connectLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connectLimit.CancelAfter(options.ConnectTimeout);
            try
            {
                if (proxy is null)
                {
                    stream = new System.Net.Sockets.NetworkStream(await TcpConnector.ConnectAsync(host, uri.Port, connectLimit.Token), ownsSocket: true);
                }
                else
                {
                    stream = new System.Net.Sockets.NetworkStream(await ProxyTunnel.ConnectToProxyAsync(proxy, connectLimit.Token), ownsSocket: true);
                    try
                    {
                        await ProxyTunnel.OpenAsync(stream, proxy, host, uri.Port, connectLimit.Token);
                    }
                    catch
                    {
                        await stream.DisposeAsync();
                        throw;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw proxy is null
                    ? new WssConnectException(ConnectStage.Tcp, $"no connection to {host}:{uri.Port} within {options.ConnectTimeout.TotalSeconds:0.#} s (a firewall may drop the packets)")
                    : new WssConnectException(ConnectStage.Proxy, $"no tunnel through {proxy.Authority} to {host}:{uri.Port} within {options.ConnectTimeout.TotalSeconds:0.#} s");
            }
        }
        using var handshakeLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handshakeLimit.CancelAfter(options.HandshakeTimeout);
        SslStream? tls = null;
        var stage = ConnectStage.Tls;
        var clientCertificateRequested = false;
        try
        {
            if (secure)
            {
                (tls, clientCertificateRequested) = await TlsConnector.AuthenticateAsync(stream, options.ServerName ?? host, options, handshakeLimit.Token);
                stream = tls;
            }
            stage = ConnectStage.Upgrade;
            var upgrade = await UpgradeHandshake.RunAsync(stream, uri, options, handshakeLimit.Token);
            return new OpenedConnection(stream, upgrade, tls);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await stream.DisposeAsync();
            throw new WssConnectException(stage, $"no {(stage == ConnectStage.Tls ? "TLS handshake" : "answer to the upgrade")} within {options.HandshakeTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (clientCertificateRequested && options.ClientCertificate is null && e is IOException or WssConnectException { StatusCode: null })
        {
            // A TLS 1.3 server that requires a client certificate hangs up after the handshake, at the first read.
            await stream.DisposeAsync();
            throw new WssConnectException(ConnectStage.Tls, TlsConnector.ClientCertificateMissing, e);
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
