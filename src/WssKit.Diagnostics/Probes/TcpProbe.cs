using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace WssKit.Diagnostics.Probes;

/// <summary>
/// TCP to every address at once, each timed: refused (nothing listens) is told apart from timed out (packets dropped),
/// and an IPv6 path that fails while IPv4 works is named. The fastest connect is the network round trip.
/// </summary>
internal static class TcpProbe
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);

    private enum Outcome
    {
        Connected,
        Refused,
        TimedOut,
        Unreachable,
        Failed,
    }

    public static async Task<bool> RunAsync(CheckContext check, CancellationToken cancellationToken)
    {
        check.Report("tcp");
        var stage = new StageRecorder("tcp");
        using var limit = check.Limit(Limit, cancellationToken);
        var attempts = await Task.WhenAll(check.Addresses.Take(8).Select(address => ConnectAsync(address, check.Port, limit.Token)));
        foreach (var (address, outcome, took, error) in attempts)
        {
            stage.Add(check.Endpoint(address), outcome == Outcome.Connected ? $"connected in {StageRecorder.Milliseconds(took)}" : $"{Describe(outcome)} after {StageRecorder.Milliseconds(took)}{(error is null ? "" : $" ({error})")}");
        }
        var connected = attempts.Where(a => a.Outcome == Outcome.Connected).ToList();
        if (connected.Count == 0)
        {
            Fail(check, attempts);
            check.Stages.Add(stage.Finish(StageOutcome.Failed));
            return false;
        }
        var fastest = connected.MinBy(a => a.Took);
        // The later stages use the first address that works, IPv4 first: a broken IPv6 path is then named beside a
        // working one instead of hiding it.
        check.Connected = [.. connected.Select(a => a.Address)];
        check.Address = check.Connected[0];
        check.ObserveConnect(fastest.Took);
        stage.Add("round trip", fastest.Took);
        // Unreachable means this machine has no IPv6 route: its own limitation, not the endpoint's.
        var brokenV6 = attempts.Where(a => a.Address.AddressFamily == AddressFamily.InterNetworkV6 && a.Outcome is Outcome.Refused or Outcome.TimedOut).ToList();
        if (brokenV6.Count > 0 && connected.Any(a => a.Address.AddressFamily == AddressFamily.InterNetwork))
        {
            check.Find("ipv6-broken",
                $"{check.Host} publishes IPv6 addresses that do not accept connections, while IPv4 works: clients that prefer IPv6 wait or fail before they fall back.",
                string.Join("; ", brokenV6.Select(a => $"{check.Endpoint(a.Address)}: {Describe(a.Outcome)}")) + "; " + string.Join("; ", connected.Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork).Select(a => $"{check.Endpoint(a.Address)}: connected")),
                "make the server (or load balancer) listen on IPv6 and open the firewall for it, or remove the AAAA record until it does",
                "check every published address, not just the first, after each network or DNS change");
        }
        check.Stages.Add(stage.Finish(StageOutcome.Passed));
        return true;
    }

    private static void Fail(CheckContext check, (IPAddress Address, Outcome Outcome, TimeSpan Took, string? Error)[] attempts)
    {
        var evidence = string.Join("; ", attempts.Select(a => $"TCP SYN to {check.Endpoint(a.Address)}: {Describe(a.Outcome)} after {StageRecorder.Milliseconds(a.Took)}"));
        if (attempts.Any(a => a.Outcome == Outcome.Refused))
        {
            check.Find("tcp-refused",
                $"nothing accepts connections on port {check.Port} of {check.Host}: the server is not running, listens on another port or address (127.0.0.1 only?), or a firewall rejects the connection.",
                evidence + " (a refusal: the host answered with a reset)",
                $"start the server, or make it listen on this address and port (`ss -ltnp | grep :{check.Port}` on the server shows what listens, and on which address)",
                "health-check the port from outside (wss check in CI or a blackbox prober), and restart the service automatically (systemd Restart=on-failure)");
        }
        else if (attempts.Any(a => a.Outcome == Outcome.TimedOut))
        {
            check.Find("tcp-timeout",
                $"connections to port {check.Port} get no answer at all: a firewall or security group drops the packets, or the host is down.",
                evidence + " (no reply to the SYN: the packets were dropped)",
                $"open port {check.Port} in the firewall, security group or network ACL in front of the server; check the host is up",
                "keep firewall rules in code and test the port from outside after every change");
        }
        else
        {
            check.Find("tcp-refused",
                $"no route to {check.Host} port {check.Port} from here.",
                evidence,
                "check the network path (routes, VPN) between this machine and the server",
                "probe the endpoint from where your users are");
        }
    }

    private static async Task<(IPAddress Address, Outcome Outcome, TimeSpan Took, string? Error)> ConnectAsync(IPAddress address, int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
            return (address, Outcome.Connected, Stopwatch.GetElapsedTime(started), null);
        }
        catch (SocketException e)
        {
            return (address, e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => Outcome.Refused,
                SocketError.TimedOut => Outcome.TimedOut,
                SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.AddressNotAvailable => Outcome.Unreachable,
                _ => Outcome.Failed,
            }, Stopwatch.GetElapsedTime(started), e.SocketErrorCode.ToString());
        }
        catch (OperationCanceledException)
        {
            return (address, Outcome.TimedOut, Stopwatch.GetElapsedTime(started), null);
        }
    }

    private static string Describe(object outcome) => outcome switch
    {
        Outcome.Refused => "refused",
        Outcome.TimedOut => "timed out",
        Outcome.Unreachable => "unreachable",
        _ => "failed",
    };
}
