using System.Text.Json;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Check;

/// <summary>--throughput: a link limited by `tc tbf` (in a network namespace of the test's own) is named; a fast one is not.</summary>
[Collection(TimingSensitive.Name)]
public sealed class ThroughputTests
{
    [Theory]
    [InlineData("tc qdisc add dev lo root tbf rate 6mbit burst 32kb latency 400ms && ", true)]
    [InlineData("", false)]
    public async Task LinkRate_LowThroughputOnlyWhenLimited(string limit, bool low)
    {
        using var data = new TempDirectory();
        // Server and check both inside a private network namespace whose loopback carries at most 6 Mbit/s.
        var script = $"""
            ip link set lo up && {limit}
            dotnet {Repository.WssDll} serve --listen 127.0.0.1:8443 --data-dir {data.Path} > {data.Path}/serve.log 2>&1 &
            server=$!
            for i in $(seq 100); do ss -ltn | grep -q 127.0.0.1:8443 && break; sleep 0.2; done
            dotnet {Repository.WssDll} check wss://127.0.0.1:8443/echo --ca {data.Path}/dev-ca.pem --throughput --json
            status=$?; kill $server; wait $server; exit $status
            """;

        var result = await Tool.RunAsync("unshare", ["-n", "sh", "-c", script], TimeSpan.FromSeconds(60));
        var root = JsonDocument.Parse(result.Output).RootElement;
        var ids = root.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("id").GetString()).ToList();
        var stage = root.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "throughput");

        Assert.Equal(low, ids.Contains("low-throughput"));
        Assert.Equal("passed", stage.GetProperty("outcome").GetString());
        Assert.Contains("MB/s", stage.GetProperty("facts")[0].GetProperty("value").GetString());
    }
}
