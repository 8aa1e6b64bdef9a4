using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using WssKit.Server.Configuration;
using WssKit.Server.Hosting;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// A wss serve server in the test process: real Kestrel on 127.0.0.1 with a free port, real TLS, its own data
/// directory (so its own development CA), and its log kept in memory.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly TempDirectory _data;

    private TestServer(WssServer server, TempDirectory data, LogCapture log)
    {
        Server = server;
        _data = data;
        Log = log;
        Port = PortOf(server.Report.Addresses[0]);
    }

    public WssServer Server { get; }

    public LogCapture Log { get; }

    public int Port { get; }

    /// <summary>The development CA that issued the served certificate (when no certificate was given).</summary>
    public string CaPath => Path.Combine(_data.Path, "dev-ca.pem");

    public string DataDirectory => _data.Path;

    public static async Task<TestServer> StartAsync(Action<WssServerOptions>? configure = null, TimeProvider? time = null)
    {
        var data = new TempDirectory();
        var options = new WssServerOptions { Listen = ["127.0.0.1:0"], DataDirectory = data.Path, LogLevel = LogLevel.Debug };
        configure?.Invoke(options);
        var log = new LogCapture();
        try
        {
            var server = await WssServer.StartAsync(options, new WssServerEnvironment
            {
                Time = time ?? TimeProvider.System,
                ConfigureLogging = logging => logging.AddProvider(log),
            });
            return new TestServer(server, data, log);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    public string Url(string path = "/echo", string scheme = "wss") => $"{scheme}://127.0.0.1:{Port}{path}";

    /// <summary>The port of the plain-HTTP listener, when there is one.</summary>
    public int PlainPort => PortOf(Server.Report.Addresses.Skip(1).First());

    /// <summary>An HTTP client that trusts only the given CA file (the server's development CA by default).</summary>
    public HttpClient Http(string? caPath = null)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(caPath ?? CaPath);
        return Http((_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 leaf && chain.Build(leaf);
        });
    }

    private HttpClient Http(RemoteCertificateValidationCallback validation)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = validation },
            AllowAutoRedirect = false,
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(15) };
    }

    /// <summary>The value of a metric line from /metrics, e.g. "wss_connections_open" or "wss_messages_total{direction=\"sent\"}".</summary>
    public async Task<double> MetricAsync(string series)
    {
        // Only reads the counters of a server this test started: whichever certificate it serves is fine here.
        using var http = Http((_, _, _, _) => true);
        var text = await http.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(candidate => candidate.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until a metric line reads <paramref name="expected"/>; fails with the server's log after <paramref name="within"/> (10 s).</summary>
    public async Task WaitForMetricAsync(string series, double expected, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(10);
        var deadline = DateTime.UtcNow + limit;
        double value;
        while ((value = await MetricAsync(series)) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{series} is {value}, not {expected}, after {limit.TotalSeconds} s:\n{Log}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _data.Dispose();
    }

    private static int PortOf(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
