using System.Net;
using System.Net.Sockets;
using WssKit.Client;
using WssKit.Client.Connecting;
using WssKit.Protocol.Handshake;

namespace WssKit.Diagnostics.Probes;

/// <summary>
/// For a wss:// endpoint on 443: whether the same path also upgrades as plain ws:// on port 80, where anyone on the
/// way can read and change the messages.
/// </summary>
internal static class PlainWsProbe
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(CheckContext check, StageRecorder stage, CancellationToken cancellationToken)
    {
        if (!check.Secure || check.Port != 443 || check.Address is null)
        {
            return;
        }
        var plain = new UriBuilder(check.Target) { Scheme = "ws", Port = 80 }.Uri;
        using var limit = check.Limit(Limit, cancellationToken);
        try
        {
            using var socket = new Socket(check.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(check.Address, 80), limit.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await UpgradeHandshake.SendRequestAsync(stream, plain, new WssClientOptions { Origin = check.Origin, Compression = false }, HandshakeKeys.NewKey(), limit.Token);
            var head = await UpgradeHandshake.ReadHeadAsync(stream, limit.Token);
            stage.Add("plain ws:// on port 80", $"{head.Status} {head.Reason}");
            if (head.Status == 101)
            {
                check.Find("insecure-ws-accepted", $"the same endpoint also accepts unencrypted WebSockets at {plain}: a client that uses that URL, or is sent there, has its messages (and tokens) readable and changeable by anyone on the way.",
                    $"GET {plain.PathAndQuery} with the upgrade headers on port 80 was answered 101 Switching Protocols",
                    "refuse WebSocket upgrades on port 80 (wss serve refuses them with 426 naming the wss:// URL unless --insecure; nginx: return 426 or redirect in the port-80 server) and serve wss:// only",
                    "keep port 80 for redirects and ACME challenges only; HSTS on the site");
            }
        }
        catch (Exception e) when (e is SocketException or IOException or WssConnectException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            stage.Add("plain ws:// on port 80", e is WssConnectException ? "no HTTP answer" : "closed or not reachable");
        }
    }
}
