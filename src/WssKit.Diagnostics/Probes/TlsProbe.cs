using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using WssKit.Certificates;

namespace WssKit.Diagnostics.Probes;

/// <summary>
/// The TLS handshake as a client sees it: version, suite, ALPN, the chain as served and whether it can be trusted;
/// then the same without SNI, whether TLS 1.0/1.1 are still accepted, and, when the handshake fails, whether the port
/// speaks plain HTTP instead.
/// </summary>
internal static class TlsProbe
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);

    public static async Task<bool> RunAsync(CheckContext check, CancellationToken cancellationToken)
    {
        if (!check.Secure)
        {
            return true;
        }
        check.Report("tls");
        var stage = new StageRecorder("tls");
        var serverName = IPAddress.TryParse(check.Host, out _) ? null : check.Host;
        TlsHandshake tls;
        using (var limit = check.Limit(Limit, cancellationToken))
        {
            try
            {
                var socket = await ProbeConnection.ConnectAsync(check, limit.Token);
                tls = await ProbeConnection.HandshakeAsync(check, new NetworkStream(socket, ownsSocket: true), serverName, limit.Token);
            }
            catch (Exception e) when (e is AuthenticationException or IOException or SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await HandshakeFailedAsync(check, stage, e, cancellationToken);
                check.Stages.Add(stage.Finish(StageOutcome.Failed));
                return false;
            }
        }
        check.DirectLeaf = tls.Leaf;
        await using (tls.Stream)
        {
            stage.Add("handshake", tls.Took);
            stage.Add("version", Version(tls.Protocol));
            stage.Add("cipher suite", tls.Cipher.ToString());
            stage.Add("ALPN", tls.Alpn.Length == 0 ? "none" : tls.Alpn);
            CertificateRules.Judge(check, tls, stage);
        }
        using (var limit = check.Limit(Limit, cancellationToken))
        {
            await OtherAddressesAsync(check, serverName, stage, limit.Token);
            await WithoutSniAsync(check, serverName, stage, limit.Token);
            await LegacyVersionsAsync(check, stage, limit.Token);
            await WeakSuitesAsync(check, stage, onlyThese: false, limit.Token);
        }
        check.Stages.Add(stage.Finish(StageOutcome.Passed));
        return true;
    }

    /// <summary>The handshake on every other address that took a TCP connection: one broken address fails some clients only.</summary>
    private static async Task OtherAddressesAsync(CheckContext check, string? serverName, StageRecorder stage, CancellationToken cancellationToken)
    {
        foreach (var address in check.Connected.Skip(1).Take(3))
        {
            string outcome;
            try
            {
                var socket = await ProbeConnection.ConnectAsync(check, cancellationToken, address);
                var other = await ProbeConnection.HandshakeAsync(check, new NetworkStream(socket, ownsSocket: true), serverName, cancellationToken);
                await other.Stream.DisposeAsync();
                outcome = other.Leaf.Thumbprint == check.DirectLeaf?.Thumbprint ? "same certificate" : $"another certificate: {other.Leaf.Subject}, issued by {other.Leaf.Issuer}";
            }
            catch (Exception e) when (e is AuthenticationException or IOException or SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                outcome = $"the handshake fails ({(e is OperationCanceledException ? "no answer" : Innermost(e))})";
                var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
                check.Find(v6 ? "ipv6-broken" : "tls-handshake-failed",
                    $"the TLS handshake works on {check.Endpoint(check.Address!)} but fails on {check.Endpoint(address)}: clients that reach {(v6 ? "the IPv6 address (most, when they have IPv6)" : "that address")} cannot connect.",
                    $"TLS handshakes{(serverName is null ? "" : $" for {serverName}")}: {check.Endpoint(check.Address!)} completed; {check.Endpoint(address)}: {outcome}",
                    $"configure TLS on whatever answers at {check.Endpoint(address)} like the working one (the same certificate and protocols), or remove that address from DNS",
                    "check every published address after changes, not just the first");
            }
            stage.Add($"via {check.Endpoint(address)}", outcome);
        }
    }

    private static async Task WithoutSniAsync(CheckContext check, string? serverName, StageRecorder stage, CancellationToken cancellationToken)
    {
        if (serverName is null)
        {
            return;
        }
        try
        {
            var socket = await ProbeConnection.ConnectAsync(check, cancellationToken);
            var bare = await ProbeConnection.HandshakeAsync(check, new NetworkStream(socket, ownsSocket: true), null, cancellationToken);
            await bare.Stream.DisposeAsync();
            var covers = SubjectNames.Covers(bare.Leaf, serverName);
            stage.Add("without SNI", $"{bare.Leaf.Subject}{(covers ? "" : $" (does not cover {serverName})")}");
            if (!covers)
            {
                check.Find("cert-sni-required", $"the right certificate for {serverName} is served only to clients that send SNI; old clients and some tools get {bare.Leaf.Subject}.",
                    $"a handshake without server_name got {bare.Leaf.Subject}, issued by {bare.Leaf.Issuer}",
                    $"nothing to do for current clients; for old ones, make the certificate for {serverName} the default one",
                    "know which certificate is the default on each shared IP address");
            }
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException or OperationCanceledException)
        {
            stage.Add("without SNI", "the handshake fails");
            check.Find("cert-sni-required", $"the server completes a handshake only when the client names {serverName} (SNI); clients without SNI cannot connect.",
                $"a handshake without server_name failed: {Innermost(e)}",
                "nothing to do for current clients; set a default certificate for clients without SNI if old ones matter",
                "know which certificate is the default on each shared IP address");
        }
    }

    private static async Task LegacyVersionsAsync(CheckContext check, StageRecorder stage, CancellationToken cancellationToken)
    {
        var accepted = new List<string>();
        foreach (var (version, name) in new[] { ((ushort)0x0301, "TLS 1.0"), ((ushort)0x0302, "TLS 1.1") })
        {
            try
            {
                if (await RawClientHello.AgreedSuiteAsync(check, version, RawClientHello.LegacySuites, cancellationToken) is not null)
                {
                    accepted.Add(name);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // A reset or no answer is a refusal.
            }
        }
        stage.Add("TLS 1.0/1.1", accepted.Count == 0 ? "refused" : "accepted: " + string.Join(", ", accepted));
        if (accepted.Count > 0)
        {
            check.Find("tls-legacy-version", $"the server still accepts {string.Join(" and ", accepted)}, deprecated since 2021 (RFC 8996) and refused by browsers: it only helps attackers downgrade.",
                $"a {string.Join(" / ", accepted)} ClientHello was answered with a ServerHello at that version",
                "allow TLS 1.2 and 1.3 only (nginx: ssl_protocols TLSv1.2 TLSv1.3; Kestrel and wss serve: the default)",
                "keep TLS settings in one reviewed place and test them with wss check or testssl.sh in CI");
        }
    }

    /// <summary>Whether the server agrees to a weak suite when a client offers nothing better (old clients, or an attacker's downgrade).</summary>
    private static async Task<bool> WeakSuitesAsync(CheckContext check, StageRecorder stage, bool onlyThese, CancellationToken cancellationToken)
    {
        ushort? agreed;
        try
        {
            agreed = await RawClientHello.AgreedSuiteAsync(check, 0x0303, RawClientHello.WeakSuites, cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            agreed = null;
        }
        stage.Add("weak suites offered alone", agreed is { } suite ? $"accepted: {RawClientHello.Name(suite)}" : "refused");
        if (agreed is { } weak)
        {
            check.Findings.Add(new Findings.Finding("weak-cipher", onlyThese ? Findings.Severity.Error : Findings.Severity.Warning,
                onlyThese
                    ? $"the server speaks only weak cipher suites ({RawClientHello.Name(weak)}): current clients, which offer none of them, cannot connect."
                    : $"the server agrees to {RawClientHello.Name(weak)}, a suite without forward secrecy or with a broken cipher, when a client offers nothing better.",
                $"a TLS 1.2 ClientHello offering only RSA key exchange, CBC, 3DES and RC4 suites was answered with a ServerHello choosing {RawClientHello.Name(weak)}",
                "allow only ECDHE with AES-GCM or ChaCha20-Poly1305 (nginx: ssl_ciphers with Mozilla's 'intermediate' list; Kestrel and wss serve do this by default)",
                "start from a current TLS configuration guide (Mozilla 'intermediate') and test with wss check or testssl.sh"));
        }
        return agreed is not null;
    }

    private static async Task HandshakeFailedAsync(CheckContext check, StageRecorder stage, Exception error, CancellationToken cancellationToken)
    {
        var reason = error is OperationCanceledException ? $"no handshake within {Limit.TotalSeconds:0} s" : Innermost(error);
        stage.Add("error", reason);
        if (await PlaintextAnswerAsync(check, cancellationToken) is { } answer)
        {
            stage.Add("plain HTTP answer", answer);
            check.Find("tls-plaintext-port", $"port {check.Port} speaks plain HTTP, not TLS: the server there is not configured for wss://, or the URL should be ws:// (or another port).",
                $"a TLS ClientHello got no handshake ({reason}); a plain 'GET / HTTP/1.1' on the same port was answered '{answer}'",
                "enable TLS on this listener (nginx: listen 443 ssl; wss serve serves TLS on its port), or point clients at the TLS port",
                "serve wss:// only on 443 and redirect or refuse plain HTTP there; wss check both schemes after changes");
            return;
        }
        using (var limit = check.Limit(TimeSpan.FromSeconds(2), cancellationToken))
        {
            if (await WeakSuitesAsync(check, stage, onlyThese: true, limit.Token))
            {
                return;
            }
        }
        var version = reason.Contains("version", StringComparison.OrdinalIgnoreCase) || reason.Contains("unsupported protocol", StringComparison.OrdinalIgnoreCase);
        check.Find(version ? "tls-version-unsupported" : "tls-handshake-failed",
            version
                ? "the server and a modern client share no TLS version: the server offers only TLS 1.0/1.1 (or something newer this client lacks)."
                : "the TLS handshake fails, so no client can connect.",
            $"a TLS 1.2/1.3 ClientHello{(IPAddress.TryParse(check.Host, out _) ? "" : $" for {check.Host}")} to {check.Endpoint(check.Address!)}: {reason}",
            version
                ? "enable TLS 1.2 and 1.3 on the server (nginx: ssl_protocols TLSv1.2 TLSv1.3)"
                : "look at the server's TLS configuration and its error log at the time of this check (certificate and key that match, protocols, ciphers); `openssl s_client -connect HOST:PORT -servername HOST` shows the failure in detail",
            "test TLS configuration changes with wss check before they reach production");
    }

    /// <summary>What the port answers to plain HTTP, when it does; null when it does not speak HTTP.</summary>
    private static async Task<string?> PlaintextAnswerAsync(CheckContext check, CancellationToken cancellationToken)
    {
        using var limit = check.Limit(TimeSpan.FromSeconds(2), cancellationToken);
        try
        {
            using var socket = await ProbeConnection.ConnectAsync(check, limit.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {check.Host}\r\nConnection: close\r\n\r\n"), limit.Token);
            var buffer = new byte[256];
            var read = await socket.ReceiveAsync(buffer, limit.Token);
            var text = Encoding.ASCII.GetString(buffer, 0, read);
            return text.StartsWith("HTTP/", StringComparison.Ordinal) ? text.Split("\r\n")[0] : null;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    private static string Version(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLS 1.3",
        SslProtocols.Tls12 => "TLS 1.2",
        _ => protocol.ToString(),
    };

    internal static string Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }
        return exception.Message.TrimEnd('.');
    }
}
