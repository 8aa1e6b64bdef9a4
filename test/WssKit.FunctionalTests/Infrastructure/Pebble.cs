using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// Let's Encrypt's test CA (Debian's pebble) on free loopback ports, with pebble-challtestsrv as its DNS server (every
/// name is 127.0.0.1), validating HTTP-01 on the port given. Its nonce rejection stays on, as in real life.
/// </summary>
public sealed class Pebble : IAsyncDisposable
{
    private readonly Process _dns;
    private readonly Process _pebble;
    private readonly TempDirectory _directory;
    private readonly List<string> _log = [];

    private Pebble(Process dns, Process pebble, TempDirectory directory, int port, int managementPort, string tlsRoot)
    {
        _dns = dns;
        _pebble = pebble;
        _directory = directory;
        DirectoryUrl = new Uri($"https://127.0.0.1:{port}/dir");
        ManagementPort = managementPort;
        TlsRootPath = tlsRoot;
        Collect(pebble.StandardOutput);
        Collect(pebble.StandardError);
    }

    public Uri DirectoryUrl { get; }

    public int ManagementPort { get; }

    /// <summary>The root of the certificate pebble's own HTTPS endpoints use (not the root it issues under).</summary>
    public string TlsRootPath { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    /// <summary>Starts Pebble validating HTTP-01 on <paramref name="httpChallengePort"/> and TLS-ALPN-01 on <paramref name="tlsChallengePort"/>.</summary>
    public static async Task<Pebble> StartAsync(int httpChallengePort, int? tlsChallengePort = null)
    {
        var directory = new TempDirectory();
        var pki = new TestPki(directory.Path, "Pebble HTTPS");
        var (cert, key) = pki.Issue(["127.0.0.1", "localhost"]).WriteFiles();
        var (port, managementPort, dnsPort) = (LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free());
        var config = Path.Combine(directory.Path, "pebble.json");
        await File.WriteAllTextAsync(config, $$$"""
            {"pebble": {"listenAddress": "127.0.0.1:{{{port}}}", "managementListenAddress": "127.0.0.1:{{{managementPort}}}",
             "certificate": "{{{cert}}}", "privateKey": "{{{key}}}", "httpPort": {{{httpChallengePort}}}, "tlsPort": {{{tlsChallengePort ?? LoopbackPort.Free()}}},
             "ocspResponderURL": "", "externalAccountBindingRequired": false}}
            """);
        var dns = Start("pebble-challtestsrv", ["-http01", "", "-https01", "", "-tlsalpn01", "", "-dns01", $"127.0.0.1:{dnsPort}",
            "-management", $"127.0.0.1:{LoopbackPort.Free()}", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""], []);
        var pebble = Start("pebble", ["-config", config, "-dnsserver", $"127.0.0.1:{dnsPort}"], new() { ["PEBBLE_VA_NOSLEEP"] = "1" });
        var started = new Pebble(dns, pebble, directory, port, managementPort, pki.RootPath);
        if (!await LoopbackPort.WaitForListenerAsync(port, pebble))
        {
            var log = started.Log;
            await started.DisposeAsync();
            throw new InvalidOperationException($"pebble did not start on {port}:\n{log}");
        }
        return started;
    }

    /// <summary>An HTTP client that trusts pebble's HTTPS certificate, for the ACME client and the management API.</summary>
    public HttpClient Http()
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(TlsRootPath);
        return new HttpClient(new SocketsHttpHandler { SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = PrivateRoots.Validator(roots) } });
    }

    /// <summary>The root pebble issues under (it makes a new one at every start), from its management API.</summary>
    public async Task<X509Certificate2> IssuingRootAsync()
    {
        using var http = Http();
        var pem = await http.GetStringAsync($"https://127.0.0.1:{ManagementPort}/roots/0");
        return X509Certificate2.CreateFromPem(pem);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { _pebble, _dns })
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
        _directory.Dispose();
    }

    private static Process Start(string command, string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return Process.Start(start) ?? throw new InvalidOperationException($"cannot start {command}");
    }

    private void Collect(StreamReader reader) => _ = Task.Run(async () =>
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    });
}
