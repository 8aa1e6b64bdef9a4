using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using WssKit.Client;
using WssKit.Client.Connecting;
using WssKit.Protocol.Handshake;

namespace WssKit.Diagnostics.Probes;

/// <summary>
/// The same endpoint through an HTTP proxy, as clients behind it reach it: the CONNECT tunnel, the certificate seen
/// through it (an intercepting proxy shows its own), and the upgrade inside it.
/// </summary>
internal static class ProxyProbe
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(CheckContext check, Uri proxy, CancellationToken cancellationToken)
    {
        check.Report("proxy");
        var stage = new StageRecorder("proxy");
        stage.Add("proxy", proxy.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped));
        using var limit = check.Limit(Limit, cancellationToken);
        Stream? stream = null;
        try
        {
            var socket = await ProxyTunnel.ConnectToProxyAsync(proxy, limit.Token);
            stream = new NetworkStream(socket, ownsSocket: true);
            await ProxyTunnel.OpenAsync(stream, proxy, check.Host, check.Port, limit.Token);
            stage.Add("CONNECT", $"{check.Host}:{check.Port}: tunnel open");
            if (check.Secure)
            {
                var tls = await ProbeConnection.HandshakeAsync(null, stream, System.Net.IPAddress.TryParse(check.Host, out _) ? null : check.Host, limit.Token);
                stream = tls.Stream;
                stage.Add("certificate", $"{tls.Leaf.Subject}, issued by {tls.Leaf.Issuer}");
                if (check.DirectLeaf is { } direct && direct.Thumbprint != tls.Leaf.Thumbprint)
                {
                    Intercepted(check, direct, tls.Leaf);
                }
            }
            var key = HandshakeKeys.NewKey();
            var options = new WssClientOptions { Origin = check.Origin, Headers = check.Options.Headers, Compression = false };
            await UpgradeHandshake.SendRequestAsync(stream, check.Target, options, key, limit.Token);
            var head = await UpgradeHandshake.ReadHeadAsync(stream, limit.Token);
            stage.Add("upgrade", $"{head.Status} {head.Reason}");
            if (head.Status != 101)
            {
                check.Find("proxy-strips-upgrade", $"the upgrade works directly but not through the proxy {proxy.Authority}: the proxy (or a device behind it) answers or alters the request.",
                    $"directly: 101; through the proxy's tunnel: {head.Status} {head.Reason}",
                    "let the proxy pass WebSocket upgrades (CONNECT to the port, no content inspection of this host), or bypass it for this host (NO_PROXY)",
                    "wss check --proxy from the networks your users are on");
            }
            check.Stages.Add(stage.Finish(head.Status == 101 ? StageOutcome.Passed : StageOutcome.Failed));
        }
        catch (WssConnectException e) when (e.Stage == ConnectStage.Proxy)
        {
            stage.Add("error", e.Message);
            check.Find("proxy-connect-refused", $"the proxy {proxy.Authority} does not open a tunnel to {check.Host}:{check.Port}{(e.StatusCode is { } status ? $" ({status})" : "")}: clients behind it cannot reach the endpoint.",
                $"CONNECT {check.Host}:{check.Port} HTTP/1.1 to {proxy.Authority}: {e.Message.Replace("proxy: ", "", StringComparison.Ordinal)}",
                e.StatusCode == 407
                    ? "give the proxy's credentials (http://user:password@proxy:port), or have the proxy allow this host without them"
                    : $"have the proxy's rules allow CONNECT to {check.Host} port {check.Port} (many allow only 443: serve wss:// on 443)",
                "serve wss:// on port 443, which proxies allow; test from behind the proxies your users have");
            check.Stages.Add(stage.Finish(StageOutcome.Failed));
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or WssConnectException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            stage.Add("error", e is OperationCanceledException ? $"nothing within {Limit.TotalSeconds:0} s" : TlsProbe.Innermost(e));
            check.Stages.Add(stage.Finish(StageOutcome.Failed));
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private static void Intercepted(CheckContext check, X509Certificate2 direct, X509Certificate2 proxied)
        => check.Find("cert-intercepted", $"through the proxy, {check.Host} shows another certificate, issued by {proxied.Issuer}: the proxy decrypts the traffic (TLS inspection). Clients that do not trust its CA fail, and WebSocket frames may be held or altered.",
            $"directly: {direct.Subject} issued by {direct.Issuer} (SHA-1 {direct.Thumbprint}); through the proxy: {proxied.Subject} issued by {proxied.Issuer} (SHA-1 {proxied.Thumbprint})",
            $"exempt {check.Host} from TLS inspection on the proxy, or make clients trust the proxy's CA if inspection is required",
            "list WebSocket hosts in the proxy's inspection bypass; wss check --proxy from the managed network");
}
