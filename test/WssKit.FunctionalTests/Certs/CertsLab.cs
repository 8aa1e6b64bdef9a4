using System.Net;
using System.Net.Sockets;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Certs;

/// <summary>
/// A fleet of TLS endpoints for wss certs, each openssl s_server (a server we did not write) serving its whole chain:
/// healthy, expiring, expired, wrong name, untrusted, one whose intermediate expires before its leaf; plus a port
/// nothing listens on and one that accepts TCP but never answers TLS.
/// </summary>
public sealed class CertsLab : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly List<PeerProcess> _servers = [];
    private TcpListener? _silent;
    private Socket? _refusing;

    public TestPki Pki { get; private set; } = null!;

    public string RootPath => Pki.RootPath;

    public string Directory => _temp.Path;

    public DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;

    public int Healthy { get; private set; }

    public int Expiring { get; private set; }

    public int Expired { get; private set; }

    public int WrongName { get; private set; }

    public int Untrusted { get; private set; }

    /// <summary>A three-year leaf under the two-year intermediate: the chain expires before the leaf.</summary>
    public int LongLeaf { get; private set; }

    public int Refused { get; private set; }

    public int Silent { get; private set; }

    /// <summary>The leaf served on <see cref="Expiring"/>: valid for 90 days, 10 left (11% of its lifetime).</summary>
    public DateTimeOffset ExpiringNotAfter { get; private set; }

    public async Task InitializeAsync()
    {
        Pki = new TestPki(_temp.Path);
        var other = new TestPki(System.IO.Directory.CreateDirectory(System.IO.Path.Combine(_temp.Path, "other")).FullName, "Other");
        Healthy = await ServeAsync(Pki.Issue(["localhost", "127.0.0.1"]));
        ExpiringNotAfter = Now.AddDays(10);
        Expiring = await ServeAsync(Pki.Issue(["127.0.0.1"], Now.AddDays(-80), ExpiringNotAfter));
        Expired = await ServeAsync(Pki.Issue(["127.0.0.1"], Now.AddDays(-90), Now.AddDays(-1)));
        WrongName = await ServeAsync(Pki.Issue(["other.example"]));
        Untrusted = await ServeAsync(other.Issue(["127.0.0.1"]));
        LongLeaf = await ServeAsync(Pki.Issue(["127.0.0.1"], Now.AddHours(-1), Now.AddYears(3)));
        _refusing = LoopbackPort.Refusing(out var refused);
        Refused = refused;
        // The kernel completes TCP handshakes into the backlog: connections succeed, and nothing ever answers.
        _silent = new TcpListener(IPAddress.Loopback, 0);
        _silent.Start();
        Silent = ((IPEndPoint)_silent.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        _silent?.Stop();
        _refusing?.Dispose();
        _silent?.Dispose();
        _temp.Dispose();
    }

    public static string At(int port) => $"127.0.0.1:{port}";

    /// <summary>Runs wss certs as users and cron do: the tool as a process.</summary>
    public static Task<ToolResult> CertsAsync(params string[] arguments)
        => Tool.RunAsync("dotnet", [Repository.WssDll, "certs", .. arguments], TimeSpan.FromSeconds(60));

    private async Task<int> ServeAsync(TestPki.Leaf leaf)
    {
        var (cert, key) = leaf.WriteFiles();
        var (server, port) = await OpenSsl.ServerAsync(cert, key);
        _servers.Add(server);
        return port;
    }
}
