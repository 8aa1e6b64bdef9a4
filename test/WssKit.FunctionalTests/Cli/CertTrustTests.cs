using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Cli;

/// <summary>
/// `wss cert trust` against Debian's real update-ca-certificates, in a private mount namespace whose trust-store
/// folders are throwaway copies, so the machine's own store is never touched.
/// </summary>
public sealed class CertTrustTests
{
    [Fact]
    public async Task Trust_ThenRemove_CurlTrustsTheDevServerOnlyInBetween()
    {
        await using var server = await TestServer.StartAsync();
        using var temp = new TempDirectory();
        var wss = $"dotnet {Repository.WssDll}";
        var url = $"https://localhost:{server.Port}/healthz";
        var curl = $"curl -sS -o /dev/null -w 'curl=%{{http_code}}\\n' --resolve localhost:{server.Port}:127.0.0.1 {url}";
        var script = $"""
            set -e
            cp -a /etc/ssl/certs {temp.Path}/certs
            mount -t tmpfs tmpfs /usr/local/share/ca-certificates
            mount -t tmpfs tmpfs /etc/ssl/certs
            cp -a {temp.Path}/certs/. /etc/ssl/certs/
            {curl} || true
            {wss} cert trust --data-dir {server.DataDirectory}
            {curl}
            {wss} cert trust --remove
            {curl} || true
            """;

        var result = await Tool.RunAsync("unshare", ["--mount", "--propagation", "private", "sh", "-c", script], TimeSpan.FromSeconds(120));

        Assert.True(result.ExitCode == 0, result.All);
        var verdicts = result.Output.Split('\n').Where(line => line.StartsWith("curl=", StringComparison.Ordinal)).ToList();
        Assert.Equal(["curl=000", "curl=200", "curl=000"], verdicts);
        Assert.Contains("wrote /usr/local/share/ca-certificates/wsskit-development-ca.crt", result.Output);
        Assert.Contains("ran /usr/sbin/update-ca-certificates: 1 added, 0 removed; done.", result.Output);
        Assert.Contains("deleted /usr/local/share/ca-certificates/wsskit-development-ca.crt", result.Output);
        Assert.False(File.Exists("/usr/local/share/ca-certificates/wsskit-development-ca.crt"), "the machine's own store was changed");
    }
}
