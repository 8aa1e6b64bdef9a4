using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Serve;

/// <summary>
/// Every bad configuration stops `wss serve` with a non-zero exit code and one line that names the problem and the
/// fix: never a stack trace, never a server that half starts.
/// </summary>
public sealed class BadConfigurationTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly TestPki _pki;

    public BadConfigurationTests() => _pki = new TestPki(_temp.Path);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task MissingCertificateFile_ExitsWithTheFileAndNotFound()
    {
        var missing = _temp.File("nope/fullchain.pem");
        await AssertRefusedAsync(["--cert", missing, "--key", _temp.File("nope/privkey.pem")], 2, $"cannot read the certificate file {missing}: not found");
    }

    [Fact]
    public async Task KeyOfAnotherCertificate_ExitsSayingTheKeyDoesNotMatch()
    {
        var (cert, _) = _pki.Issue(["localhost"]).WriteFiles();
        var (_, otherKey) = _pki.Issue(["localhost"]).WriteFiles();
        await AssertRefusedAsync(["--cert", cert, "--key", otherKey], 2, $"the key {otherKey} does not match the certificate {cert}");
    }

    [Fact]
    public async Task ExpiredCertificate_ExitsSayingItExpiredAndToRenew()
    {
        var (cert, key) = _pki.Issue(["localhost"], DateTimeOffset.UtcNow.AddDays(-90), DateTimeOffset.UtcNow.AddDays(-2)).WriteFiles();
        await AssertRefusedAsync(["--cert", cert, "--key", key], 2, "expired on", "renew it");
    }

    [Fact]
    public async Task NotYetValidCertificate_ExitsSayingWhenItBecomesValid()
    {
        var (cert, key) = _pki.Issue(["localhost"], DateTimeOffset.UtcNow.AddDays(3), DateTimeOffset.UtcNow.AddDays(90)).WriteFiles();
        await AssertRefusedAsync(["--cert", cert, "--key", key], 2, "is not valid until", "check this machine's clock");
    }

    [Fact]
    public async Task ServerNameNotCovered_ExitsNamingTheMissingName()
    {
        var (cert, key) = _pki.Issue(["localhost", "127.0.0.1"]).WriteFiles();
        await AssertRefusedAsync(["--cert", cert, "--key", key, "--server-names", "chat.example.com"], 2,
            "does not cover chat.example.com (it covers localhost, 127.0.0.1)");
    }

    [Fact]
    public async Task EncryptedKeyWithoutPassword_ExitsNamingThePasswordFlags()
    {
        var leaf = _pki.Issue(["localhost"]);
        var (cert, key) = leaf.WriteFiles();
        var encrypted = await Tool.RunAsync("openssl", ["pkcs8", "-topk8", "-in", key, "-out", key + ".enc", "-passout", "pass:s3cret"]);
        Assert.Equal(0, encrypted.ExitCode);
        await AssertRefusedAsync(["--cert", cert, "--key", key + ".enc"], 2, "is encrypted: give its password with --key-password-file");
    }

    [Fact]
    public async Task CertWithoutKey_ExitsNamingBothSettings()
        => await AssertRefusedAsync(["--cert", _temp.File("fullchain.pem")], 2, "cert (--cert, WSS_CERT) is set but key (--key, WSS_KEY) is not");

    [Fact]
    public async Task UnusableSize_ExitsNamingTheFlagAndTheFormat()
        => await AssertRefusedAsync(["--max-message-size", "12x"], 2, "maxMessageSize (--max-message-size, WSS_MAX_MESSAGE_SIZE) = '12x' from --max-message-size: not a size");

    [Fact]
    public async Task UnusableEnvironmentVariable_ExitsNamingTheVariable()
        => await AssertRefusedAsync([], 2, "'soon' from WSS_IDLE_TIMEOUT: not a duration", new Dictionary<string, string> { ["WSS_IDLE_TIMEOUT"] = "soon" });

    [Fact]
    public async Task UnknownKeyInConfigFile_ExitsSuggestingTheRightOne()
    {
        await File.WriteAllTextAsync(_temp.File("wss.json"), """{ "maxMesageSize": "1MiB" }""");
        await AssertRefusedAsync(["--config", _temp.File("wss.json")], 2, "unknown setting 'maxMesageSize'; did you mean 'maxMessageSize'?");
    }

    [Fact]
    public async Task BrokenJsonInConfigFile_ExitsWithLineAndColumn()
    {
        await File.WriteAllTextAsync(_temp.File("wss.json"), "{\n  \"port\": 8443\n  \"idleTimeout\": \"5m\"\n}");
        await AssertRefusedAsync(["--config", _temp.File("wss.json")], 2, "is not valid JSON at line 3");
    }

    [Fact]
    public async Task UnknownFlag_ExitsWithUsageError()
        => await AssertRefusedAsync(["--prot", "443"], 2, "Unrecognized command or argument '--prot'");

    [Fact]
    public async Task PortAlreadyInUse_ExitsNamingThePortAndHowToFindTheHolder()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        await AssertRefusedAsync(["--listen", $"127.0.0.1:{port}"], 1, $"cannot listen on 127.0.0.1:{port}: the port is already in use", "ss -ltnp");
    }

    [Fact]
    public async Task Port443WithoutPrivilege_ExitsWithTheTwoUsualFixes()
    {
        // In a network namespace of its own (where ports below 1024 are privileged, whatever the host's setting),
        // as the unprivileged user nobody, from a copy of the tool that nobody may read, in a working directory
        // nobody may not enter (as a service's can be): that must not matter either.
        var home = _temp.File("nobody");
        var tool = Path.Combine(home, "tool");
        Directory.CreateDirectory(tool);
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory).Where(file => file.EndsWith(".dll", StringComparison.Ordinal) || Path.GetFileName(file).StartsWith("wss.", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(tool, Path.GetFileName(file)));
        }
        File.SetUnixFileMode(_temp.Path, (UnixFileMode)0b111_101_101); // rwxr-xr-x: nobody may pass through
        File.SetUnixFileMode(home, (UnixFileMode)0b111_111_111);
        var script = $"ip link set lo up && exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME={home} DOTNET_CLI_HOME={home} dotnet {tool}/wss.dll serve --port 443 --data-dir {home}/data";

        var closed = _temp.File("closed");
        Directory.CreateDirectory(Path.Combine(closed, "inside"));
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = await Tool.RunAsync("unshare", ["--net", "sh", "-c", script], TimeSpan.FromSeconds(30), workingDirectory: Path.Combine(closed, "inside"));

        Assert.True(result.ExitCode == 1, $"exit code {result.ExitCode}:\n{result.All}");
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("wss: cannot listen on 127.0.0.1:443", line);
        Assert.Contains("permission denied", line);
        Assert.Contains("AmbientCapabilities=CAP_NET_BIND_SERVICE", line);
        Assert.Contains("setcap cap_net_bind_service=+ep", line);
    }

    [Fact]
    public async Task ChainWithoutIntermediate_StartsButWarns()
    {
        var (cert, key) = _pki.Issue(["localhost", "127.0.0.1"]).WriteFiles(withIntermediate: false);
        await using var server = await CliServer.StartAsync(["--cert", cert, "--key", key]);
        Assert.Contains("served without the certificate of its issuer (CN=Test Intermediate CA)", server.Output);
        Assert.Contains("(cert-chain-incomplete)", server.Output);
    }

    private async Task AssertRefusedAsync(string[] arguments, int exitCode, string expected, IReadOnlyDictionary<string, string>? environment = null)
        => await AssertRefusedAsync(arguments, exitCode, [expected], environment);

    private Task AssertRefusedAsync(string[] arguments, int exitCode, string expected, string alsoExpected)
        => AssertRefusedAsync(arguments, exitCode, [expected, alsoExpected], null);

    private async Task AssertRefusedAsync(string[] arguments, int exitCode, string[] expected, IReadOnlyDictionary<string, string>? environment)
    {
        var result = await Tool.RunAsync("dotnet", [Repository.WssDll, "serve", "--listen", "127.0.0.1:0", "--data-dir", _temp.File("data"), .. arguments],
            TimeSpan.FromSeconds(30), environment: environment, workingDirectory: _temp.Path);

        Assert.True(exitCode == result.ExitCode, $"exit code {result.ExitCode}, expected {exitCode}:\n{result.All}");
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("wss: ", lines[0]);
        foreach (var text in expected)
        {
            Assert.Contains(text, lines[0]);
        }
        Assert.DoesNotContain("   at ", result.All);
        Assert.DoesNotContain("listening", result.Output);
    }
}
