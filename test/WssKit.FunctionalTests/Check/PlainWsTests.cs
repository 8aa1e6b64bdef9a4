using System.Text.Json;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Check;

/// <summary>wss:// on 443 with ws:// on 80 beside it: accepted (--insecure) is named, refused (the default) is not. Ports 80 and 443 in a private network namespace.</summary>
public sealed class PlainWsTests
{
    [Theory]
    [InlineData("--insecure", true)]
    [InlineData("", false)]
    public async Task PortEighty_InsecureWsAcceptedOnlyWhenItUpgrades(string insecure, bool accepted)
    {
        using var data = new TempDirectory();
        var script = $"""
            ip link set lo up
            dotnet {Repository.WssDll} serve --listen 127.0.0.1:443 --http-port 80 {insecure} --data-dir {data.Path} > {data.Path}/serve.log 2>&1 &
            server=$!
            for i in $(seq 100); do ss -ltn | grep -q 127.0.0.1:443 && break; sleep 0.2; done
            dotnet {Repository.WssDll} check wss://127.0.0.1/echo --ca {data.Path}/dev-ca.pem --json
            status=$?; kill $server; wait $server; exit $status
            """;

        var result = await Tool.RunAsync("unshare", ["-n", "sh", "-c", script], TimeSpan.FromSeconds(60));
        var root = JsonDocument.Parse(result.Output).RootElement;
        var ids = root.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("id").GetString()).ToList();
        var plain = root.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "upgrade").GetProperty("facts").EnumerateArray()
            .Single(f => f.GetProperty("name").GetString() == "plain ws:// on port 80").GetProperty("value").GetString();

        Assert.Equal(accepted, ids.Contains("insecure-ws-accepted"));
        Assert.StartsWith(accepted ? "101" : "426", plain);
    }
}
