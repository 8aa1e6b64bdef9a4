using System.Diagnostics;
using System.Text.RegularExpressions;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// `wss serve` as its own process, as users run it: for signals (SIGTERM, SIGHUP), exit codes and what it prints.
/// Listens on 127.0.0.1 with a free port and a temporary data directory unless the arguments say otherwise.
/// </summary>
public sealed partial class CliServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TempDirectory _data;
    private readonly Task _stdout;
    private readonly Task _stderr;

    private CliServer(Process process, TempDirectory data)
    {
        _process = process;
        _data = data;
        _stdout = Collect(process.StandardOutput, "");
        _stderr = Collect(process.StandardError, "stderr: ");
    }

    public int Port { get; private set; }

    public string DataDirectory => _data.Path;

    public string CaPath => Path.Combine(_data.Path, "dev-ca.pem");

    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public string Url(string path = "/echo") => $"wss://127.0.0.1:{Port}{path}";

    public static async Task<CliServer> StartAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var data = new TempDirectory();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = data.Path,
        };
        start.ArgumentList.Add(Repository.WssDll);
        start.ArgumentList.Add("serve");
        var given = arguments.ToList();
        if (!given.Contains("--listen") && !given.Contains("--port"))
        {
            given.AddRange(["--listen", "127.0.0.1:0"]);
        }
        if (!given.Contains("--data-dir"))
        {
            given.AddRange(["--data-dir", data.Path]);
        }
        foreach (var argument in given)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var server = new CliServer(Process.Start(start)!, data);
        await server.WaitForListeningAsync();
        return server;
    }

    /// <summary>Waits for text to appear in the output (stdout and stderr).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{text}' did not appear in the server's output:\n{Output}");
            }
            await Task.Delay(50);
        }
    }

    public void Signal(int signal) => Signals.Send(_process.Id, signal);

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"wss serve did not exit within {timeout}:\n{Output}");
        }
        await Task.WhenAll(_stdout, _stderr);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _data.Dispose();
    }

    /// <summary>The last line of what `wss serve` prints once it serves.</summary>
    public const string StartedLine = "SIGHUP reloads the certificates";

    private async Task WaitForListeningAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var output = Output;
            if (output.Contains(StartedLine, StringComparison.Ordinal) && ListeningLine().Match(output) is { Success: true } match)
            {
                Port = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                return;
            }
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                await Task.Delay(100);
                throw new InvalidOperationException($"wss serve did not start (exit code {(_process.HasExited ? _process.ExitCode : "none")}):\n{Output}");
            }
            await Task.Delay(50);
        }
    }

    private Task Collect(StreamReader reader, string prefix) => Task.Run(async () =>
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                _output.Add(prefix + line);
            }
        }
    });

    [GeneratedRegex(@"listening\s+(?:127\.0\.0\.1|\[::1\]|0\.0\.0\.0|\[::\]|localhost):(\d+)")]
    private static partial Regex ListeningLine();
}
