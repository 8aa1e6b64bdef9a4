using System.Globalization;
using System.Text.Json;
using WssKit.FunctionalTests.Infrastructure;
using static WssKit.FunctionalTests.Certs.CertsLab;

namespace WssKit.FunctionalTests.Certs;

/// <summary>
/// `wss certs` across a fleet of real TLS servers: a status per target (ok, warning, error), the table, the documented
/// JSON, the Prometheus textfile, targets files, thresholds, and exit codes 0, 1 and 2.
/// </summary>
public sealed class CertsCommandTests(CertsLab lab) : IClassFixture<CertsLab>
{
    [Fact]
    public async Task HealthyTargets_OkRows_ExitZero()
    {
        await using var server = await TestServer.StartAsync();
        var caFile = Path.Combine(lab.Directory, "both-roots.pem");
        await File.WriteAllTextAsync(caFile, await File.ReadAllTextAsync(lab.RootPath) + "\n" + await File.ReadAllTextAsync(server.CaPath));

        var result = await CertsAsync(At(lab.Healthy), $"wss://localhost:{lab.Healthy}/feed", At(server.Port), "--ca", caFile);

        Assert.True(result.ExitCode == 0, result.All);
        foreach (var target in new[] { At(lab.Healthy), $"localhost:{lab.Healthy}" })
        {
            Assert.Matches($@"^\s*{Regex(target)}\s+ok\s+29\.9\s+99%\s+\d{{4}}-\d\d-\d\d\s+Test Intermediate CA\s+\d{{4}}-\d\d-\d\d\s*$", Row(result, target));
        }
        Assert.Matches($@"^\s*{Regex(At(server.Port))}\s+ok\s+\d+\.\d\s+\d+%\s", Row(result, At(server.Port)));
        Assert.Contains("3 targets: 3 ok, 0 warnings, 0 errors; all ok", result.Output);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Fleet_Table_StatusPerTarget_UnreachableStillReported_ExitOne()
    {
        var result = await CertsAsync(At(lab.Healthy), At(lab.Expiring), At(lab.Expired), At(lab.WrongName), At(lab.Untrusted), At(lab.Refused),
            "--ca", lab.RootPath);

        Assert.True(result.ExitCode == 1, result.All);
        Assert.Matches(@"\sok\s", Row(result, At(lab.Healthy)));
        var expiring = Row(result, At(lab.Expiring));
        Assert.Matches(@"\swarning\s+9\.9\s+11%\s", expiring);
        Assert.Contains(CertsDate(lab.ExpiringNotAfter), expiring);
        Assert.Contains("Test Intermediate CA", expiring);
        Assert.Contains("expires in 9 days, 11% of its lifetime left: renew it", expiring);
        Assert.Matches(@"\serror\s+-1\.0\s+0%\s", Row(result, At(lab.Expired)));
        Assert.Contains("expired on", Row(result, At(lab.Expired)));
        Assert.Contains("does not cover 127.0.0.1 (covers other.example)", Row(result, At(lab.WrongName)));
        Assert.Contains("untrusted: the chain leads to CN=Other Root CA, which is not a trusted root here", Row(result, At(lab.Untrusted)));
        Assert.Contains($"connection refused: nothing listens on port {lab.Refused}", Row(result, At(lab.Refused)));
        Assert.Contains("6 targets: 1 ok, 1 warning, 4 errors; needs attention (warning: less than 33% of the lifetime left)", result.Output);
    }

    [Fact]
    public async Task Json_FollowsTheDocumentedSchema()
    {
        var result = await CertsAsync(At(lab.Healthy), At(lab.Expiring), At(lab.Expired), At(lab.Untrusted), At(lab.Refused), At(lab.Silent),
            "--ca", lab.RootPath, "--json", "--timeout", "2");
        var root = JsonDocument.Parse(result.Output).RootElement;

        Assert.True(result.ExitCode == 1, result.All);
        Assert.Equal("wsskit.certs/1", root.GetProperty("schema").GetString());
        Assert.Equal("error", root.GetProperty("status").GetString());
        Assert.Equal(0.3333, root.GetProperty("thresholds").GetProperty("warnFraction").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("thresholds").GetProperty("warnDays").ValueKind);
        var summary = root.GetProperty("summary");
        Assert.Equal((6, 1, 1, 4), (summary.GetProperty("targets").GetInt32(), summary.GetProperty("ok").GetInt32(),
            summary.GetProperty("warning").GetInt32(), summary.GetProperty("error").GetInt32()));
        var targets = root.GetProperty("targets").EnumerateArray().ToList();
        Assert.Equal([At(lab.Healthy), At(lab.Expiring), At(lab.Expired), At(lab.Untrusted), At(lab.Refused), At(lab.Silent)],
            targets.Select(t => t.GetProperty("target").GetString()));
        Assert.Equal(["ok", "warning", "error", "error", "error", "error"], targets.Select(t => t.GetProperty("status").GetString()));
        Assert.Equal([[], ["cert-expiring-soon"], ["cert-expired"], ["chain-untrusted"], ["tcp-refused"], ["tls-handshake-failed"]],
            targets.Select(t => t.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToArray()));

        var expiring = targets[1];
        Assert.Equal(("127.0.0.1", lab.Expiring), (expiring.GetProperty("host").GetString(), expiring.GetProperty("port").GetInt32()));
        var certificate = expiring.GetProperty("certificate");
        Assert.Equal("CN=127.0.0.1", certificate.GetProperty("subject").GetString());
        Assert.Equal("CN=Test Intermediate CA", certificate.GetProperty("issuer").GetString());
        Assert.Equal(["127.0.0.1"], certificate.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.True(certificate.GetProperty("nameMatches").GetBoolean());
        Assert.Equal(lab.ExpiringNotAfter.ToUnixTimeSeconds(), certificate.GetProperty("notAfter").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.InRange(certificate.GetProperty("daysLeft").GetDouble(), 9.9, 10);
        Assert.InRange(certificate.GetProperty("lifetimeLeft").GetDouble(), 0.11, 0.112);
        var chain = expiring.GetProperty("chain");
        Assert.True(chain.GetProperty("trusted").GetBoolean());
        Assert.Equal(["CN=127.0.0.1", "CN=Test Intermediate CA", "CN=Test Root CA"],
            chain.GetProperty("certificates").EnumerateArray().Select(c => c.GetProperty("subject").GetString()));
        Assert.Equal("CN=127.0.0.1", chain.GetProperty("subject").GetString());
        Assert.Equal(["CN=Test Intermediate CA"], expiring.GetProperty("served").EnumerateArray().Select(c => c.GetProperty("subject").GetString()));
        Assert.Equal(certificate.GetProperty("notAfter").GetString(), expiring.GetProperty("earliest").GetProperty("notAfter").GetString());

        Assert.False(targets[3].GetProperty("chain").GetProperty("trusted").GetBoolean());
        foreach (var failed in targets.Skip(4))
        {
            Assert.Equal(JsonValueKind.Null, failed.GetProperty("certificate").ValueKind);
            Assert.Equal(JsonValueKind.Null, failed.GetProperty("chain").ValueKind);
            Assert.Equal(0, failed.GetProperty("served").GetArrayLength());
        }
        Assert.Contains("no TLS handshake within 2 s", targets[5].GetProperty("problems")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task ChainExpiresBeforeLeaf_SeparateFigures_WarnDaysCatchesIt()
    {
        var plain = await CertsAsync(At(lab.LongLeaf), "--ca", lab.RootPath, "--json");
        var warned = await CertsAsync(At(lab.LongLeaf), "--ca", lab.RootPath, "--warn-days", "800");
        var table = await CertsAsync(At(lab.LongLeaf), "--ca", lab.RootPath);

        Assert.True(plain.ExitCode == 0, plain.All);
        var target = JsonDocument.Parse(plain.Output).RootElement.GetProperty("targets")[0];
        var leafExpires = target.GetProperty("certificate").GetProperty("notAfter").GetDateTimeOffset();
        var chain = target.GetProperty("chain");
        Assert.Equal("CN=Test Intermediate CA", chain.GetProperty("subject").GetString());
        Assert.True(chain.GetProperty("notAfter").GetDateTimeOffset() < leafExpires.AddDays(-300));
        Assert.Equal("CN=Test Intermediate CA", target.GetProperty("earliest").GetProperty("subject").GetString());
        Assert.Contains("(Test Intermediate CA)", Row(table, At(lab.LongLeaf)));
        Assert.True(warned.ExitCode == 1, warned.All);
        Assert.Matches(@"\swarning\s.*CN=Test Intermediate CA in the chain expires in \d+ days, before the certificate", Row(warned, At(lab.LongLeaf)));
    }

    [Fact]
    public async Task WarnFraction_Configurable()
    {
        var lenient = await CertsAsync(At(lab.Expiring), "--ca", lab.RootPath, "--warn-fraction", "0.1");
        var strict = await CertsAsync(At(lab.Healthy), "--ca", lab.RootPath, "--warn-fraction", "0.9", "--warn-days", "45");

        Assert.True(lenient.ExitCode == 0, lenient.All);
        Assert.Matches(@"\sok\s+9\.9\s+11%", Row(lenient, At(lab.Expiring)));
        Assert.True(strict.ExitCode == 1, strict.All);
        Assert.Matches(@"\swarning\s", Row(strict, At(lab.Healthy)));
        Assert.Contains("(warning: less than 90% of the lifetime left or fewer than 45 days)", strict.Output);
    }

    [Fact]
    public async Task Prometheus_TextfileWithHelpTypeAndSeries()
    {
        var file = Path.Combine(lab.Directory, "wss_certs.prom");

        var result = await CertsAsync(At(lab.Healthy), At(lab.Expiring), At(lab.Refused), "--ca", lab.RootPath, "--prometheus", file);

        Assert.True(result.ExitCode == 1, result.All);
        Assert.False(File.Exists(file + ".tmp"));
        var lines = await File.ReadAllLinesAsync(file);
        foreach (var family in new[] { "wss_cert_probe_success", "wss_cert_status", "wss_cert_not_before_timestamp_seconds", "wss_cert_not_after_timestamp_seconds",
            "wss_cert_lifetime_remaining_ratio", "wss_cert_earliest_not_after_timestamp_seconds", "wss_cert_chain_not_after_timestamp_seconds",
            "wss_cert_chain_trusted", "wss_cert_name_matches", "wss_certs_last_run_timestamp_seconds" })
        {
            Assert.Contains(lines, line => line.StartsWith($"# HELP {family} ", StringComparison.Ordinal));
            Assert.Contains($"# TYPE {family} gauge", lines);
        }
        var expiring = $"target=\"{At(lab.Expiring)}\"";
        Assert.Contains($"wss_cert_probe_success{{{expiring}}} 1", lines);
        Assert.Contains($"wss_cert_probe_success{{target=\"{At(lab.Refused)}\"}} 0", lines);
        Assert.Contains($"wss_cert_status{{{expiring},status=\"warning\"}} 1", lines);
        Assert.Contains($"wss_cert_status{{{expiring},status=\"ok\"}} 0", lines);
        Assert.Contains($"wss_cert_status{{target=\"{At(lab.Refused)}\",status=\"error\"}} 1", lines);
        var notAfter = Assert.Single(lines, line => line.StartsWith("wss_cert_not_after_timestamp_seconds{" + expiring, StringComparison.Ordinal));
        Assert.Matches(@",subject=""CN=127\.0\.0\.1"",issuer=""CN=Test Intermediate CA"",serial=""[0-9A-F]+""\} \d+$", notAfter);
        Assert.Equal(lab.ExpiringNotAfter.ToUnixTimeSeconds(), long.Parse(notAfter[(notAfter.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        var ratio = Assert.Single(lines, line => line.StartsWith("wss_cert_lifetime_remaining_ratio{" + expiring, StringComparison.Ordinal));
        Assert.InRange(double.Parse(ratio[(ratio.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture), 0.11, 0.112);
        Assert.Contains($"wss_cert_chain_trusted{{{expiring}}} 1", lines);
        Assert.DoesNotContain(lines, line => line.Contains($"not_after_timestamp_seconds{{target=\"{At(lab.Refused)}\"", StringComparison.Ordinal));
        // The table still goes to standard output.
        Assert.Contains("3 targets: 1 ok, 1 warning, 1 error; needs attention", result.Output);
    }

    [Fact]
    public async Task TargetsFile_CommentsAndBlankLines_EachTargetReported()
    {
        var file = Path.Combine(lab.Directory, "targets.txt");
        await File.WriteAllLinesAsync(file, ["# the fleet", "", At(lab.Healthy) + "   # healthy", "#" + At(lab.Expired), $"  wss://127.0.0.1:{lab.Expiring}/feed  ", ""]);

        var result = await CertsAsync("--targets", file, "--ca", lab.RootPath);

        Assert.True(result.ExitCode == 1, result.All);
        Assert.Matches(@"\sok\s", Row(result, At(lab.Healthy)));
        Assert.Matches(@"\swarning\s", Row(result, At(lab.Expiring)));
        Assert.DoesNotContain(At(lab.Expired), result.Output);
        Assert.Contains("2 targets: 1 ok, 1 warning, 0 errors", result.Output);
    }

    [Theory]
    [InlineData("no targets: give HOST[:PORT] arguments or --targets FILE")]
    [InlineData("'[::1:443' is not a target: the '[' of an IPv6 address is not closed", "[::1:443")]
    [InlineData("--warn-fraction 2: give a fraction of the lifetime between 0 and 1, e.g. --warn-fraction 0.33", "example.com", "--warn-fraction", "2")]
    [InlineData("--ca /nonexistent.pem: cannot read it", "example.com", "--ca", "/nonexistent.pem")]
    public async Task BadArguments_OneLine_ExitTwo(string message, params string[] arguments)
    {
        var result = await CertsAsync(arguments);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("wss: " + message, line);
        Assert.Equal("", result.Output);
        Assert.DoesNotContain("   at ", result.All);
    }

    private static string Row(ToolResult result, string target)
    {
        var rows = result.Output.Split('\n').Where(line => line.TrimStart().StartsWith(target + " ", StringComparison.Ordinal)).ToList();
        Assert.True(rows.Count == 1, $"expected one row for {target} in:\n{result.All}");
        return rows[0];
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    private static string CertsDate(DateTimeOffset when) => when.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
