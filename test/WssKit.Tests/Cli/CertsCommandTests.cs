using WssKit.Cli.Certs;
using WssKit.Diagnostics.Certs;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Cli;

/// <summary>wss certs arguments (one line and exit 2 for each mistake) and the Prometheus text format.</summary>
public sealed class CertsCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly CliHarness _cli;

    public CertsCommandTests() => _cli = new CliHarness(_temp.Path);

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("no targets: give HOST[:PORT] arguments or --targets FILE")]
    [InlineData("'example.com:70000' is not a target: the port '70000' is not a number from 1 to 65535", "example.com:70000")]
    [InlineData("'ws://example.com/' is not a target: ws:// has no TLS", "ws://example.com/")]
    [InlineData("--timeout 0: give seconds between 0 and 300", "example.com", "--timeout", "0")]
    [InlineData("--warn-fraction 1.5: give a fraction of the lifetime between 0 and 1", "example.com", "--warn-fraction", "1.5")]
    [InlineData("--warn-days -1: give a number of days from 0 to 3650", "example.com", "--warn-days", "-1")]
    [InlineData("--concurrency 0: give a number from 1 to 256", "example.com", "--concurrency", "0")]
    [InlineData("cannot read it", "example.com", "--ca", "missing.pem")]
    [InlineData("--targets ", "--targets", "missing.txt")]
    [InlineData("the directory", "example.com", "--prometheus", "no/such/dir/certs.prom")]
    public async Task BadArguments_OneLine_ExitTwo(string message, params string[] arguments)
    {
        var exitCode = await _cli.RunAsync(["certs", .. arguments]);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(_cli.ErrorLines);
        Assert.StartsWith("wss: ", line);
        Assert.Contains(message, line);
        Assert.Empty(_cli.Out.Output);
    }

    [Fact]
    public async Task TargetsFile_BadLine_NamesTheLine_ExitTwo()
    {
        File.WriteAllLines(_temp.File("hosts.txt"), ["# hosts", "ok.example.com", "", "bad host"]);

        var exitCode = await _cli.RunAsync("certs", "--targets", "hosts.txt");

        Assert.Equal(2, exitCode);
        Assert.Equal($"wss: --targets {_temp.File("hosts.txt")} line 4: 'bad host' is not a target: 'bad host' is not a valid host name; give HOST, HOST:PORT, [IPv6]:PORT or a wss:// or https:// URL", Assert.Single(_cli.ErrorLines));
    }

    [Fact]
    public async Task TargetsFile_OnlyComments_NoTargets_ExitTwo()
    {
        File.WriteAllLines(_temp.File("empty.txt"), ["# nothing yet", ""]);

        var exitCode = await _cli.RunAsync("certs", "--targets", "empty.txt");

        Assert.Equal(2, exitCode);
        Assert.Equal("wss: no targets in empty.txt: write one HOST[:PORT] a line", Assert.Single(_cli.ErrorLines));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("CN=\"quoted\", O=A\\B", "CN=\\\"quoted\\\", O=A\\\\B")]
    [InlineData("two\nlines", "two\\nlines")]
    public void Prometheus_LabelValues_Escaped(string value, string escaped)
        => Assert.Equal(escaped, CertsPrometheus.Escape(value));

    [Fact]
    public void Prometheus_FailedTarget_OnlySuccessAndStatus()
    {
        var result = new CertResult
        {
            Target = new CertTarget("down.example.com", 443),
            Problems = [new CertProblem("tcp-refused", CertStatus.Error, "connection refused")],
        };
        var report = new CertsReport(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), TimeSpan.FromSeconds(1), new CertsOptions(), [result]);

        var lines = CertsPrometheus.Render(report).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith('#')).ToList();

        Assert.Equal(
            [
                "wss_cert_probe_success{target=\"down.example.com:443\"} 0",
                "wss_cert_status{target=\"down.example.com:443\",status=\"ok\"} 0",
                "wss_cert_status{target=\"down.example.com:443\",status=\"warning\"} 0",
                "wss_cert_status{target=\"down.example.com:443\",status=\"error\"} 1",
                "wss_certs_last_run_timestamp_seconds 1700000001",
            ], lines);
    }
}
