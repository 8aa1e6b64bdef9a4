using System.CommandLine;
using Spectre.Console;
using WssKit.Client;

namespace WssKit.Cli.Connect;

/// <summary>
/// wss connect URL: a WebSocket client for people (a prompt with history, /ping, /close) and for scripts (a line
/// is a message, a message is a line; --jsonl for events). The exit code follows the close.
/// </summary>
internal static class ConnectCommand
{
    public static Command Create(CliConsole console)
    {
        var url = new Argument<string>("URL") { Description = "the ws:// or wss:// URL to connect to" };
        var headers = new Option<string[]>("--header", "-H") { Description = "an extra request header, 'Name: value'; repeatable", HelpName = "HEADER", AllowMultipleArgumentsPerToken = false };
        var origin = new Option<string>("--origin") { Description = "the Origin header to send, as a browser would", HelpName = "ORIGIN" };
        var subprotocols = new Option<string[]>("--subprotocol", "-s") { Description = "a subprotocol to offer; repeatable, in order of preference", HelpName = "NAME", AllowMultipleArgumentsPerToken = false };
        var ca = new Option<string>("--ca") { Description = "a PEM file of certificate authorities to trust besides the system's", HelpName = "FILE" };
        var cert = new Option<string>("--cert") { Description = "client certificate (PEM) for mutual TLS; with --key", HelpName = "FILE" };
        var key = new Option<string>("--key") { Description = "the client certificate's private key (PEM)", HelpName = "FILE" };
        var proxy = new Option<string>("--proxy") { Description = "HTTP proxy to tunnel through (http://user:password@host:port) [default: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY, minus NO_PROXY]; 'none' for a direct connection", HelpName = "URL" };
        var insecure = new Option<bool>("--insecure", "-k") { Description = "DANGEROUS: accept any server certificate, for a test bench only" };
        var showHandshake = new Option<bool>("--show-handshake") { Description = "print the server's handshake answer (status and headers) and the TLS details" };
        var binary = new Option<bool>("--binary") { Description = "pipe mode: send each line as a binary message, and write binary messages as they are" };
        var jsonl = new Option<bool>("--jsonl") { Description = "write one JSON event per line (open, message, ping, close, error) instead of plain lines" };
        var noCompression = new Option<bool>("--no-compression") { Description = "do not offer permessage-deflate" };
        var connectTimeout = new Option<double>("--connect-timeout") { Description = "seconds allowed to connect (DNS, TCP, proxy), and again for the TLS handshake and the upgrade", HelpName = "SECONDS", DefaultValueFactory = _ => 10 };
        var wait = new Option<double>("--wait") { Description = "pipe mode: once the input ends, keep receiving until the server has been quiet this long, then close", HelpName = "SECONDS", DefaultValueFactory = _ => 0.5 };
        var command = new Command("connect", "Open a WebSocket: a prompt in a terminal (/ping, /close [code] [reason], history), lines in and out in a pipe.")
        {
            url, headers, origin, subprotocols, ca, cert, key, proxy, insecure, showHandshake, binary, jsonl, noCompression, connectTimeout, wait,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            WssClientOptions options;
            try
            {
                if (!(parsed.GetValue(connectTimeout) is > 0 and <= 3600) || !(parsed.GetValue(wait) is >= 0 and <= 3600))
                {
                    throw new ArgumentException("--connect-timeout must be above 0 and --wait at least 0, in seconds (at most 3600)");
                }
                var clientCertificate = LoadClientCertificate(parsed.GetValue(cert), parsed.GetValue(key), console.WorkingDirectory);
                options = new WssClientOptions
                {
                    Headers = [.. (parsed.GetValue(headers) ?? []).Select(RequestHeaders.Parse)],
                    Origin = parsed.GetValue(origin),
                    Subprotocols = parsed.GetValue(subprotocols) ?? [],
                    TrustedCaFile = parsed.GetValue(ca) is { } caFile ? Path.GetFullPath(caFile, console.WorkingDirectory) : null,
                    ClientCertificate = clientCertificate?.Leaf,
                    ClientCertificateIntermediates = clientCertificate?.Chain ?? [],
                    Proxy = parsed.GetValue(proxy) is { } proxyText and not "none" ? ParseProxy(proxyText) : null,
                    UseEnvironmentProxy = parsed.GetValue(proxy) is null,
                    DangerousAcceptAnyServerCertificate = parsed.GetValue(insecure),
                    Compression = !parsed.GetValue(noCompression),
                    ConnectTimeout = TimeSpan.FromSeconds(parsed.GetValue(connectTimeout)),
                    HandshakeTimeout = TimeSpan.FromSeconds(parsed.GetValue(connectTimeout)),
                };
            }
            catch (ArgumentException e)
            {
                console.Fail(e.Message);
                return (int)ExitCode.Usage;
            }
            if (!Uri.TryCreate(parsed.GetValue(url), UriKind.Absolute, out var target) || target.Scheme is not ("ws" or "wss"))
            {
                console.Fail($"'{parsed.GetValue(url)}' is not a WebSocket URL: use ws://host/path or wss://host/path");
                return (int)ExitCode.Usage;
            }
            var output = parsed.GetValue(jsonl) ? (ISessionOutput)new JsonLinesOutput(console) : new PlainOutput(console);
            if (options.DangerousAcceptAnyServerCertificate)
            {
                console.Error.MarkupLine("[bold red]WARNING: --insecure: the server's certificate is NOT checked. Anyone between you and the server can read and change this connection. Use it on a test bench only.[/]");
            }
            using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using (StopSignals.Register(onStop: interrupted.Cancel))
            {
                return await Session.RunAsync(console, target, options, output, parsed.GetValue(showHandshake), parsed.GetValue(binary),
                    TimeSpan.FromSeconds(parsed.GetValue(wait)), interrupted.Token);
            }
        });
        return command;
    }

    private static Uri ParseProxy(string text)
        => Uri.TryCreate(text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text, UriKind.Absolute, out var proxy)
            ? proxy
            : throw new ArgumentException($"--proxy '{text}' is not a URL: use http://host:port");

    private static Certificates.ServerCertificate? LoadClientCertificate(string? cert, string? key, string workingDirectory)
    {
        if (cert is null && key is null)
        {
            return null;
        }
        if (cert is null || key is null)
        {
            throw new ArgumentException("--cert and --key go together: give the client certificate and its private key");
        }
        try
        {
            return Certificates.Files.CertificateFiles.LoadPem(Path.GetFullPath(cert, workingDirectory), Path.GetFullPath(key, workingDirectory));
        }
        catch (Certificates.CertificateException e)
        {
            throw new ArgumentException(e.Message);
        }
    }
}
