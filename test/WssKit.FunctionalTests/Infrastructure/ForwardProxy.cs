using System.Diagnostics;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// tinyproxy (Debian's) as an HTTP forward proxy on a free loopback port, optionally asking for Basic credentials;
/// its log (every CONNECT it served) is kept. Stopped when disposed.
/// </summary>
public sealed class ForwardProxy : LoopbackDaemon
{
    private readonly List<string> _log = [];
    private readonly string? _credentials;

    private ForwardProxy(Process process, TempDirectory directory, int port, string? credentials) : base(process, directory, port)
    {
        _credentials = credentials;
        Collect(process.StandardOutput);
        Collect(process.StandardError);
    }

    /// <summary>The proxy's URL, with the credentials when it asks for some.</summary>
    public Uri Url => new($"http://{(_credentials is null ? "" : _credentials + "@")}127.0.0.1:{Port}");

    /// <summary>The proxy's URL without credentials.</summary>
    public Uri AnonymousUrl => new($"http://127.0.0.1:{Port}");

    public override string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    /// <summary>Starts tinyproxy; <paramref name="extraConfig"/> adds lines to its configuration (for example ConnectPort 443).</summary>
    public static async Task<ForwardProxy> StartAsync(string? user = null, string? password = null, string extraConfig = "")
    {
        var directory = new TempDirectory();
        var port = LoopbackPort.Free();
        var config = Path.Combine(directory.Path, "tinyproxy.conf");
        await File.WriteAllTextAsync(config, $"""
            Port {port}
            Listen 127.0.0.1
            Timeout 60
            MaxClients 100
            LogLevel Connect
            Allow 127.0.0.1
            {(user is null ? "" : $"BasicAuth {user} {password}")}
            {extraConfig}
            """);
        var proxy = new ForwardProxy(Launch("tinyproxy", "-d", "-c", config), directory, port, user is null ? null : $"{user}:{password}");
        await proxy.EnsureListeningAsync();
        return proxy;
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
