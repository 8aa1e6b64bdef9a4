using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using WssKit.Client;
using WssKit.Client.Connecting;
using WssKit.Protocol.Handshake;

namespace WssKit.Diagnostics.Probes;

/// <summary>
/// The HTTP upgrade as a browser on the site would ask for it (its own Origin, permessage-deflate offered), then again
/// with no Origin and with a foreign one, to tell an Origin check apart from other refusals. A successful upgrade is
/// handed to the data-path stage.
/// </summary>
internal static class UpgradeProbe
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);
    private const string ForeignOrigin = "https://wss-check.invalid";

    public static async Task<WssClient?> RunAsync(CheckContext check, CancellationToken cancellationToken)
    {
        check.Report("upgrade");
        var stage = new StageRecorder("upgrade");
        var origin = check.Origin;
        var options = new WssClientOptions
        {
            Headers = check.Options.Headers,
            Subprotocols = check.Options.Subprotocols,
            Origin = origin,
            Compression = true,
            UseEnvironmentProxy = false,
        };
        using var limit = check.Limit(Limit, cancellationToken);
        Attempt main;
        try
        {
            var others = Task.WhenAll(AttemptAsync(check, options with { Origin = null }, false, limit.Token), AttemptAsync(check, options with { Origin = ForeignOrigin }, false, limit.Token));
            main = await AttemptAsync(check, options, true, limit.Token);
            var both = await others;
            var (noOrigin, foreign) = (both[0], both[1]);
            stage.Add("request", $"GET {check.Target.PathAndQuery} with Origin {origin}, permessage-deflate offered{(options.Subprotocols.Count > 0 ? $", subprotocols {string.Join(", ", options.Subprotocols)}" : "")}");
            stage.Add("answer", main.StatusLine);
            foreach (var (name, value) in main.Head.Headers)
            {
                stage.Add("  " + name, Shown(name, value));
            }
            stage.Add("answered in", main.Took);
            stage.Add("without Origin", noOrigin.StatusLine);
            stage.Add($"with Origin {ForeignOrigin}", foreign.StatusLine);
            Judge(check, main, noOrigin, foreign, origin);
            await PlainWsProbe.RunAsync(check, stage, cancellationToken);
            if (main.Head.Status != 101)
            {
                check.Stages.Add(stage.Finish(StageOutcome.Failed));
                return null;
            }
            try
            {
                var upgrade = UpgradeHandshake.Accept(main.Head, main.Key, options);
                stage.Add("accept value", "matches the key");
                stage.Add("extensions", upgrade.Compression?.ToHeader() ?? "none");
                stage.Add("subprotocol", upgrade.SubProtocol ?? "none");
                check.Stages.Add(stage.Finish(StageOutcome.Passed));
                return new WssClient(main.Stream, upgrade, options, main.Stream as SslStream);
            }
            catch (WssConnectException e)
            {
                BadAnswer(check, main, e.Message.Replace("upgrade: ", "", StringComparison.Ordinal));
                await main.Stream.DisposeAsync();
                check.Stages.Add(stage.Finish(StageOutcome.Failed));
                return null;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or WssConnectException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? $"no answer within {Limit.TotalSeconds:0} s" : TlsProbe.Innermost(e);
            stage.Add("error", reason);
            check.Find("upgrade-ignored", "the server accepted the request but never answered the upgrade properly: a proxy or server that does not speak WebSocket holds it or hangs up.",
                $"GET {check.Target.PathAndQuery} with the upgrade headers: {reason}",
                "make sure the path is served by the WebSocket server and every proxy on the way passes upgrades (nginx: proxy_http_version 1.1 and the Upgrade/Connection headers)",
                "test the full path clients use, through every proxy, with wss check");
            check.Stages.Add(stage.Finish(StageOutcome.Failed));
            return null;
        }
    }

    private sealed record Attempt(ResponseHead Head, string Key, TimeSpan Took, Stream Stream, string Body)
    {
        public string StatusLine => $"{Head.Status} {Head.Reason}{(Body.Length > 0 ? $" ({Body})" : "")}";
    }

    /// <summary>One upgrade request on a connection of its own; only the main attempt's connection lives on, for the data path.</summary>
    private static async Task<Attempt> AttemptAsync(CheckContext check, WssClientOptions options, bool keepOpen, CancellationToken cancellationToken)
    {
        var (stream, _, _) = await ProbeConnection.OpenAsync(check, cancellationToken);
        var key = HandshakeKeys.NewKey();
        var started = Stopwatch.GetTimestamp();
        await UpgradeHandshake.SendRequestAsync(stream, check.Target, options, key, cancellationToken);
        var head = await UpgradeHandshake.ReadHeadAsync(stream, cancellationToken);
        var took = Stopwatch.GetElapsedTime(started);
        check.ObserveUpgrade(took);
        var body = head.Status == 101 ? "" : await UpgradeHandshake.ReadSomeBodyAsync(stream, head, cancellationToken);
        if (!keepOpen || head.Status != 101)
        {
            await stream.DisposeAsync();
        }
        return new Attempt(head, key, took, stream, body.Length > 120 ? body[..120] + "..." : body);
    }

    private static void Judge(CheckContext check, Attempt main, Attempt noOrigin, Attempt foreign, string origin)
    {
        var sent = $"GET {check.Target.PathAndQuery} HTTP/1.1 with Upgrade: websocket, Connection: Upgrade, Origin: {origin}";
        var status = main.Head.Status;
        var server = main.Head.Header("Server") is { } name ? $", Server: {name}" : "";
        if (status == 101)
        {
            if (foreign.Head.Status == 101)
            {
                check.Find("origin-not-checked", $"the server accepts WebSockets opened by pages of any site (Origin {ForeignOrigin} was accepted): if it relies on cookies for authentication, other sites can act as the user (cross-site WebSocket hijacking).",
                    $"the upgrade with Origin: {ForeignOrigin} was answered {foreign.StatusLine}",
                    "if browsers authenticate with cookies, allow only your own origins (wss serve --allowed-origins https://app.example.com); token authentication in the first message is not affected",
                    "decide on an origin policy per endpoint and test it with wss check");
            }
            return;
        }
        var evidence = $"{sent}; answered {main.StatusLine}{server}; without Origin: {noOrigin.Head.Status}; with a foreign Origin: {foreign.Head.Status}";
        if (status == 403 && noOrigin.Head.Status == 101)
        {
            check.Find("origin-rejected", $"the server refuses WebSockets from pages on {origin}, though it accepts them without an Origin: its origin allowlist lacks this site.",
                evidence, $"add {origin} to the server's allowed origins (wss serve --allowed-origins {origin}), or open the page from an allowed origin",
                "keep the allowlist next to the list of sites that use the endpoint; wss check each site's origin with --origin");
        }
        else if (status is 401 or 403 or 407)
        {
            check.Find("auth-required", $"the upgrade needs credentials ({status}): without a valid token or cookie the server refuses the WebSocket.",
                evidence, "send the credentials the endpoint expects (wss check -H 'Authorization: Bearer ...', or a cookie header); check tokens have not expired",
                "monitor with a dedicated check credential; alert on expiring tokens");
        }
        else if (status == 426 || (status == 400 && main.Body.Contains("websocket", StringComparison.OrdinalIgnoreCase)))
        {
            check.Find("proxy-strips-upgrade", "the request reached a WebSocket server without its Upgrade and Connection headers: a proxy on the way dropped them (hop-by-hop headers are not forwarded unless configured).",
                evidence + " (the server asks for an upgrade that was sent)",
                "in nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\"; in HAProxy and Caddy upgrades pass by default: check for rewriting rules",
                "keep a tested proxy snippet for WebSocket locations and wss check through the proxy after each change");
        }
        else if (status is >= 200 and < 400)
        {
            check.Find("upgrade-ignored", $"the server answered the WebSocket request as ordinary HTTP ({status}): a web server or proxy that does not do WebSockets is at this URL, or the path is wrong.",
                evidence, "point the URL at the WebSocket endpoint, and make every proxy pass upgrades to it (nginx: proxy_http_version 1.1 with the Upgrade and Connection headers)",
                "wss check the exact URL clients use");
        }
        else
        {
            check.Find("upgrade-rejected", $"the server refused the upgrade with {main.StatusLine}{(status == 404 ? ": nothing is served at this path" : status >= 500 ? ": the server or the application behind a proxy failed" : "")}.",
                evidence, status switch
                {
                    404 => "check the path in the URL against the server's WebSocket routes",
                    502 or 503 or 504 => "the proxy cannot reach a healthy backend: check the backend is up and the proxy's upstream address",
                    _ => "read the server's log for this request; the body of the answer often says why",
                },
                "wss check the exact URL after each deployment");
        }
    }

    private static void BadAnswer(CheckContext check, Attempt main, string problem)
    {
        var id = problem.Contains("Accept", StringComparison.Ordinal) ? "upgrade-bad-accept"
            : problem.Contains("extensions", StringComparison.Ordinal) ? "compression-mismatch"
            : "upgrade-bad-accept";
        check.Find(id, id == "compression-mismatch"
                ? "the server (or a proxy) answered the permessage-deflate offer with parameters a client may not accept: browsers fail the connection."
                : "the 101 answer is not a valid WebSocket handshake: browsers fail the connection. Usually a proxy or a hand-made server answers the upgrade itself.",
            $"101 Switching Protocols with headers {string.Join("; ", main.Head.Headers.Select(h => $"{h.Key}: {Shown(h.Key, h.Value)}"))}: {problem}",
            id == "compression-mismatch"
                ? "fix or disable permessage-deflate on the server or proxy (RFC 7692 parameters must echo what the client offered)"
                : "let the WebSocket server answer the handshake (Sec-WebSocket-Accept = base64(SHA-1(key + GUID))); check proxies that rewrite headers",
            "test handshakes against a conformance suite (Autobahn) and wss check");
    }

    /// <summary>A header's value for the report: cookies a server sets are session secrets, so only their names are shown.</summary>
    internal static string Shown(string name, string value)
        => name.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase) ? value.Split('=')[0] + "=(hidden)" : value;
}
