using System.CommandLine;
using Spectre.Console;
using WssKit.Client;

namespace WssKit.Cli.Bench;

/// <summary>
/// wss bench URL: a load generator and latency meter. Echo throughput, latency at a fixed rate (free of coordinated
/// omission), connection setup rate, or idle connections held; a table for people, --json for machines.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CliConsole console)
    {
        var url = new Argument<string>("URL") { Description = "the ws:// or wss:// URL of an echo endpoint" };
        var scenario = new Option<Scenario>("--scenario") { Description = "echo (throughput), latency (at a fixed rate), connect (setup rate) or idle (connections held)", HelpName = "NAME", DefaultValueFactory = _ => Scenario.Echo };
        var connections = new Option<int>("--connections", "-c") { Description = "connections to open (echo, latency, idle)", HelpName = "N", DefaultValueFactory = _ => 64 };
        var window = new Option<int>("--window", "-w") { Description = "messages in flight per connection (echo)", HelpName = "W", DefaultValueFactory = _ => 16 };
        var size = new Option<int>("--size") { Description = "bytes per message", HelpName = "BYTES", DefaultValueFactory = _ => 32 };
        var binary = new Option<bool>("--binary") { Description = "send binary messages instead of text" };
        var rate = new Option<double>("--rate") { Description = "messages per second over all connections (latency)", HelpName = "R", DefaultValueFactory = _ => 5000 };
        var concurrency = new Option<int>("--concurrency") { Description = "connection setups at a time (connect; also how the others open their connections)", HelpName = "C", DefaultValueFactory = _ => 16 };
        var duration = new Option<double>("--duration", "-d") { Description = "seconds measured (idle: seconds held)", HelpName = "SECONDS", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup") { Description = "seconds of load before measuring, not counted", HelpName = "SECONDS", DefaultValueFactory = _ => 1 };
        var count = new Option<long?>("--count", "-n") { Description = "stop after this many messages (echo, latency) or connections (connect) in the measured window", HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "write one JSON object with every figure on standard output instead of the table" };
        var progress = new Option<bool>("--progress") { Description = "a progress line every second on standard error even when it is not a terminal" };
        var headers = new Option<string[]>("--header", "-H") { Description = "an extra request header, 'Name: value'; repeatable", HelpName = "HEADER", AllowMultipleArgumentsPerToken = false };
        var origin = new Option<string>("--origin") { Description = "the Origin header to send, as a browser would", HelpName = "ORIGIN" };
        var subprotocols = new Option<string[]>("--subprotocol", "-s") { Description = "a subprotocol to offer; repeatable", HelpName = "NAME", AllowMultipleArgumentsPerToken = false };
        var ca = new Option<string>("--ca") { Description = "a PEM file of certificate authorities to trust besides the system's", HelpName = "FILE" };
        var insecure = new Option<bool>("--insecure", "-k") { Description = "DANGEROUS: accept any server certificate, for a test bench only" };
        var connectTimeout = new Option<double>("--connect-timeout") { Description = "seconds allowed for DNS, TCP, TLS and the upgrade each", HelpName = "SECONDS", DefaultValueFactory = _ => 10 };
        var command = new Command("bench", "Put load on a WebSocket echo endpoint: throughput, latency at a fixed rate, connection setup rate, or idle connections held.")
        {
            url, scenario, connections, window, size, binary, rate, concurrency, duration, warmup, count, json, progress,
            headers, origin, subprotocols, ca, insecure, connectTimeout,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (!Uri.TryCreate(parsed.GetValue(url), UriKind.Absolute, out var target))
            {
                console.Fail($"'{parsed.GetValue(url)}' is not a URL: give ws://host:port/path or wss://host:port/path");
                return (int)ExitCode.Usage;
            }
            var settings = new BenchSettings
            {
                Url = target,
                Scenario = parsed.GetValue(scenario),
                Connections = parsed.GetValue(connections),
                Window = parsed.GetValue(window),
                Size = parsed.GetValue(size),
                Binary = parsed.GetValue(binary),
                Rate = parsed.GetValue(rate),
                Concurrency = parsed.GetValue(concurrency),
                Duration = parsed.GetValue(duration),
                Warmup = parsed.GetValue(warmup),
                Count = parsed.GetValue(count),
                ConnectTimeout = parsed.GetValue(connectTimeout),
            };
            WssClientOptions options;
            try
            {
                if (settings.Validate() is { } problem)
                {
                    throw new ArgumentException(problem);
                }
                options = new WssClientOptions
                {
                    Headers = [.. (parsed.GetValue(headers) ?? []).Select(ParseHeader)],
                    Origin = parsed.GetValue(origin),
                    Subprotocols = parsed.GetValue(subprotocols) ?? [],
                    TrustedCaFile = parsed.GetValue(ca) is { } caFile ? CaFile(caFile, console.WorkingDirectory) : null,
                    DangerousAcceptAnyServerCertificate = parsed.GetValue(insecure),
                    UseEnvironmentProxy = false,
                    // The echoes are checked byte for byte and a load tool measures the server's framing, not DEFLATE.
                    Compression = false,
                    ConnectTimeout = TimeSpan.FromSeconds(settings.ConnectTimeout),
                    HandshakeTimeout = TimeSpan.FromSeconds(settings.ConnectTimeout),
                };
            }
            catch (ArgumentException e)
            {
                console.Fail(e.Message);
                return (int)ExitCode.Usage;
            }
            if (options.DangerousAcceptAnyServerCertificate)
            {
                console.Error.MarkupLine("[bold red]WARNING: --insecure: the server's certificate is NOT checked. Anyone between you and the server can read and change this connection. Use it on a test bench only.[/]");
            }
            var showProgress = parsed.GetValue(progress) || console.Error.Profile.Out.IsTerminal;
            return await BenchRunner.RunAsync(console, settings, options, showProgress, parsed.GetValue(json), cancellationToken);
        });
        return command;
    }

    private static string CaFile(string path, string workingDirectory)
    {
        var full = Path.GetFullPath(path, workingDirectory);
        return File.Exists(full) ? full : throw new ArgumentException($"--ca {path}: no such file: give a PEM file of certificate authorities");
    }

    private static KeyValuePair<string, string> ParseHeader(string header)
    {
        var colon = header.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new ArgumentException($"--header '{header}' is not 'Name: value'");
        }
        return KeyValuePair.Create(header[..colon].Trim(), header[(colon + 1)..].Trim());
    }
}
