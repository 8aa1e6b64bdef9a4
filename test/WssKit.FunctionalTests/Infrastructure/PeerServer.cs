namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// A WebSocket server we did not write (test/peers/ws-server.mjs on Node's ws, ws_server.py on Python's websockets),
/// listening on a free loopback port; killed when disposed.
/// </summary>
public sealed class PeerServer : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private PeerServer(PeerProcess process, int port, bool tls)
    {
        _process = process;
        Port = port;
        Scheme = tls ? "wss" : "ws";
    }

    public int Port { get; }

    public string Scheme { get; }

    public string Url(string path = "/") => $"{Scheme}://127.0.0.1:{Port}{path}";

    public string Transcript => _process.Transcript;

    /// <summary>Node's ws; with a certificate and key, over TLS.</summary>
    public static Task<PeerServer> NodeAsync((string Cert, string Key)? tls = null, params string[] arguments)
        => StartAsync("node", [Path.Combine(Repository.Peers, "ws-server.mjs"), .. TlsArguments(tls), .. arguments], tls is not null);

    /// <summary>Python's websockets; with a certificate and key, over TLS; with --client-ca, mutual TLS.</summary>
    public static Task<PeerServer> PythonAsync((string Cert, string Key)? tls = null, params string[] arguments)
        => StartAsync("/usr/bin/python3", [Path.Combine(Repository.Peers, "ws_server.py"), .. TlsArguments(tls), .. arguments], tls is not null);

    private static string[] TlsArguments((string Cert, string Key)? tls) => tls is { } files ? ["--tls", files.Cert, files.Key] : [];

    private static async Task<PeerServer> StartAsync(string command, string[] arguments, bool tls)
    {
        var process = PeerProcess.Start(command, arguments);
        try
        {
            var listening = await process.WaitForAsync("listening");
            return new PeerServer(process, listening.GetProperty("port").GetInt32(), tls);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
