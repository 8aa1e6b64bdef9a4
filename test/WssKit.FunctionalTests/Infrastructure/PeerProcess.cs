using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// A long-running peer process (a WebSocket client we did not write, driven by a script in test/peers): commands go
/// to its standard input one per line, events come back as JSON lines. Killed when disposed.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly List<string> _transcript = [];
    private readonly Task _reader;
    private readonly Task _errorReader;

    private PeerProcess(Process process)
    {
        _process = process;
        _reader = Task.Run(ReadAsync);
        _errorReader = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_transcript)
                {
                    _transcript.Add("stderr: " + line);
                }
            }
        });
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Node's ws package: test/peers/ws-client.mjs.</summary>
    public static PeerProcess Node(string url, params string[] arguments)
        => Start("node", [Path.Combine(Repository.Peers, "ws-client.mjs"), url, .. arguments]);

    /// <summary>Python's websockets package (Debian's python3-websockets): test/peers/ws_client.py.</summary>
    public static PeerProcess Python(string url, params string[] arguments)
        => Start("/usr/bin/python3", [Path.Combine(Repository.Peers, "ws_client.py"), url, .. arguments]);

    public static PeerProcess Start(string command, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Peers,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        return new PeerProcess(Process.Start(start) ?? throw new InvalidOperationException($"cannot start {command}"));
    }

    public async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The next event of the given kind; earlier events of other kinds are skipped.</summary>
    public async Task<JsonElement> WaitForAsync(string eventName, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? DefaultWait);
        try
        {
            while (true)
            {
                var next = await _events.Reader.ReadAsync(limit.Token);
                if (next.GetProperty("event").GetString() == eventName)
                {
                    return next;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no '{eventName}' event within {timeout ?? DefaultWait}; the peer said:\n{Transcript}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"the peer exited before a '{eventName}' event; it said:\n{Transcript}");
        }
    }

    /// <summary>The next event, whatever it is.</summary>
    public async Task<JsonElement> NextAsync(TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? DefaultWait);
        try
        {
            return await _events.Reader.ReadAsync(limit.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"no event within {timeout ?? DefaultWait}; the peer said:\n{Transcript}");
        }
    }

    /// <summary>Sends text and waits for it to come back.</summary>
    public async Task<string> EchoAsync(string text)
    {
        await SendAsync("send " + text);
        return (await WaitForAsync("message")).GetProperty("data").GetString()!;
    }

    public string Transcript
    {
        get
        {
            lock (_transcript)
            {
                return string.Join('\n', _transcript);
            }
        }
    }

    public void Signal(int signal) => Signals.Send(_process.Id, signal);

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
            // Its last lines are still being read when it exits: the transcript is whole only once both streams end.
            await Task.WhenAll(_reader, _errorReader).WaitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the process did not exit within {timeout}; it said:\n{Transcript}");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        await _reader;
        _process.Dispose();
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            lock (_transcript)
            {
                _transcript.Add(line);
            }
            try
            {
                await _events.Writer.WriteAsync(JsonDocument.Parse(line).RootElement.Clone());
            }
            catch (JsonException)
            {
                // Not an event (a stray print): it stays in the transcript only.
            }
        }
        _events.Writer.TryComplete();
    }
}
