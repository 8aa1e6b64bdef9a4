using System.Net;
using System.Net.Sockets;

namespace WssKit.Diagnostics.Probes;

/// <summary>Resolves the host: A and AAAA records, each address then probed on its own.</summary>
internal static class DnsProbe
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);

    public static async Task<bool> RunAsync(CheckContext check, CancellationToken cancellationToken)
    {
        check.Report("dns");
        var stage = new StageRecorder("dns");
        stage.Add("host", check.Host);
        if (IPAddress.TryParse(check.Host, out var literal))
        {
            check.Addresses = [literal];
            stage.Add("addresses", $"{literal} (an address in the URL: nothing to resolve)");
            check.Stages.Add(stage.Finish(StageOutcome.Skipped));
            return true;
        }
        using var limit = check.Limit(Limit, cancellationToken);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(check.Host, limit.Token);
            check.Addresses = [.. addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork), .. addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6)];
            stage.Add("A", Join(check.Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork)));
            stage.Add("AAAA", Join(check.Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6)));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var error = e is SocketException socket ? $"{socket.SocketErrorCode} ({socket.Message})" : $"no answer within {Limit.TotalSeconds:0} s";
            stage.Add("error", error);
            check.Find("dns-unresolved",
                $"{check.Host} does not resolve to any address, so no client can reach it.",
                $"looked up A and AAAA records for {check.Host} with this machine's resolver: {error}",
                $"check the spelling of the host in the URL; make sure the DNS zone has an A (and AAAA) record for {check.Host}; `getent ahosts {check.Host}` and `dig {check.Host}` show what resolvers answer",
                "monitor the record from outside your network, and lower the TTL before changing it");
            check.Stages.Add(stage.Finish(StageOutcome.Failed));
            return false;
        }
        check.Stages.Add(stage.Finish(check.Addresses.Count > 0 ? StageOutcome.Passed : StageOutcome.Failed));
        return check.Addresses.Count > 0;
    }

    private static string Join(IEnumerable<IPAddress> addresses) => string.Join(", ", addresses) is { Length: > 0 } list ? list : "none";
}
