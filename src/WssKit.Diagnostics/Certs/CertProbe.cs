using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates;
using WssKit.Diagnostics.Probes;

namespace WssKit.Diagnostics.Certs;

/// <summary>One target: TCP, a TLS handshake with SNI that accepts any certificate, then the rules on what was served.</summary>
internal static class CertProbe
{
    public static async Task<CertResult> RunAsync(CertTarget target, CertsOptions options, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(options.Timeout, options.Time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var stage = "tcp";
        TlsHandshake handshake;
        try
        {
            // One socket for both families: the name's addresses are tried in turn, IPv4 literals too.
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(target.Host, target.Port, limit.Token);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            stage = "tls";
            // An address is never sent as SNI (RFC 6066); a name always is.
            var serverName = IPAddress.TryParse(target.Host, out _) ? null : target.Host;
            handshake = await ProbeConnection.HandshakeAsync(null, new NetworkStream(socket, ownsSocket: true), serverName, limit.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var seconds = options.Timeout.TotalSeconds;
            return Failed(target, started, stage == "tcp"
                ? new CertProblem("tcp-timeout", CertStatus.Error, $"no TCP connection within {seconds:0.#} s (a firewall dropping packets, or the host is down)")
                : new CertProblem("tls-handshake-failed", CertStatus.Error, $"no TLS handshake within {seconds:0.#} s (is it a TLS port?)"));
        }
        catch (SocketException e)
        {
            return Failed(target, started, e.SocketErrorCode switch
            {
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain
                    => new CertProblem("dns-unresolved", CertStatus.Error, $"{target.Host} does not resolve ({e.Message})"),
                SocketError.ConnectionRefused
                    => new CertProblem("tcp-refused", CertStatus.Error, $"connection refused: nothing listens on port {target.Port}"),
                _ => new CertProblem("tcp-failed", CertStatus.Error, $"cannot connect: {e.Message}"),
            });
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            var inner = e.InnerException is { } cause ? $" ({cause.Message.TrimEnd('.')})" : "";
            return Failed(target, started, new CertProblem("tls-handshake-failed", CertStatus.Error, $"TLS handshake failed: {e.Message.TrimEnd('.')}{inner}"));
        }
        await using var tls = handshake.Stream;
        var took = Stopwatch.GetElapsedTime(started);
        using var leaf = handshake.Leaf;
        try
        {
            return Judge(target, leaf, handshake.Served, options, took);
        }
        finally
        {
            foreach (var served in handshake.Served)
            {
                served.Dispose();
            }
        }
    }

    private static CertResult Judge(CertTarget target, X509Certificate2 leaf, X509Certificate2Collection served, CertsOptions options, TimeSpan took)
    {
        var now = options.Time.GetUtcNow();
        var leafFacts = CertificateFacts.Of(leaf);
        var servedFacts = served.Select(CertificateFacts.Of).ToList();
        var earliest = servedFacts.Prepend(leafFacts).MinBy(certificate => certificate.NotAfter)!;
        var chain = BestChain.Build(leaf, served, options.ExtraRoots);
        var chainEarliest = chain.Elements.MinBy(certificate => certificate.NotAfter) ?? leafFacts;
        var names = SubjectNames.Of(leaf);
        var nameMatches = SubjectNames.Covers(leaf, target.Host);
        var evidence = new CertEvidence(target.Host, leafFacts, names, nameMatches, earliest, chainEarliest, chain.Trusted, chain.Untrusted);
        return new CertResult
        {
            Target = target,
            Problems = CertRules.Judge(evidence, now, ExpiryThreshold.Of(options)),
            Took = took,
            Leaf = leafFacts,
            Names = names,
            NameMatches = nameMatches,
            Served = servedFacts,
            Earliest = earliest,
            Chain = chain.Elements,
            ChainEarliest = chainEarliest,
            ChainTrusted = chain.Trusted,
            DaysLeft = (leafFacts.NotAfter - now).TotalDays,
            LifetimeLeft = CertRules.LifetimeLeft(leafFacts, now),
        };
    }

    private static CertResult Failed(CertTarget target, long started, CertProblem problem)
        => new() { Target = target, Problems = [problem], Took = Stopwatch.GetElapsedTime(started) };
}
