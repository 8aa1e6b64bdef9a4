using System.CommandLine;
using Spectre.Console;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WssKit.Diagnostics;

namespace WssKit.Cli.Check;

/// <summary>
/// wss check URL: why an endpoint is refused, slow, inconsistent or has certificate errors, in one run. Exit 0 with no
/// error finding, 1 with one, 2 when the check could not run.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CliConsole console)
    {
        var url = new Argument<string>("URL") { Description = "the ws:// or wss:// URL clients use" };
        var json = new Option<bool>("--json") { Description = "one JSON document on standard output (schema: docs/check-json.md)" };
        var ca = new Option<string>("--ca") { Description = "a PEM file of roots to trust besides the system's (a private CA)", HelpName = "FILE" };
        var origin = new Option<string>("--origin") { Description = "the Origin of the page that opens the WebSocket [default: https://HOST of the URL]", HelpName = "ORIGIN" };
        var headers = new Option<string[]>("--header", "-H") { Description = "an extra upgrade request header, 'Name: value' (a token, a cookie); repeatable", HelpName = "HEADER", AllowMultipleArgumentsPerToken = false };
        var reportFile = new Option<string>("--report") { Description = "also write a self-contained HTML report to FILE, to hand to whoever helps (no secrets in it)", HelpName = "FILE" };
        var proxy = new Option<string>("--proxy") { Description = "also check through this HTTP proxy (http://user:password@host:port) [default: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY, minus NO_PROXY]; 'none' for no proxy", HelpName = "URL" };
        var idle = new Option<string>("--idle") { Description = "also hold two idle connections this long (one silent, one pinging) to find idle timeouts on the path, e.g. 120s or 5m", HelpName = "DURATION" };
        var throughput = new Option<bool>("--throughput") { Description = "also measure how much data the path carries: 64 KiB messages echoed for 5 s" };
        var subprotocols = new Option<string[]>("--subprotocol", "-s") { Description = "a subprotocol to offer; repeatable", HelpName = "NAME", AllowMultipleArgumentsPerToken = false };
        var command = new Command("check", "Troubleshoot a WebSocket endpoint: DNS, TCP, TLS and certificate, the upgrade, the data path; findings with cause, evidence, fix and prevention.")
        {
            url, json, ca, origin, headers, subprotocols, reportFile, proxy, idle, throughput,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (!Uri.TryCreate(parsed.GetValue(url), UriKind.Absolute, out var target) || target.Scheme is not ("ws" or "wss"))
            {
                console.Fail($"'{parsed.GetValue(url)}' is not a WebSocket URL: use wss://host/path (or ws://host/path)");
                return (int)ExitCode.Usage;
            }
            CheckOptions options;
            try
            {
                options = new CheckOptions
                {
                    ExtraRoots = parsed.GetValue(ca) is { } caFile ? LoadRoots(Path.GetFullPath(caFile, console.WorkingDirectory)) : [],
                    Origin = parsed.GetValue(origin),
                    Headers = [.. (parsed.GetValue(headers) ?? []).Select(RequestHeaders.Parse)],
                    Subprotocols = parsed.GetValue(subprotocols) ?? [],
                    Throughput = parsed.GetValue(throughput),
                    Idle = parsed.GetValue(idle) is { } idleText ? IdleDuration(idleText) : null,
                    Proxy = parsed.GetValue(proxy) switch
                    {
                        "none" => null,
                        { } given => Uri.TryCreate(given.Contains("://", StringComparison.Ordinal) ? given : "http://" + given, UriKind.Absolute, out var uri)
                            ? uri
                            : throw new ArgumentException($"--proxy '{given}' is not a URL: use http://host:port"),
                        null => EnvironmentProxy(target, console),
                    },
                };
            }
            catch (ArgumentException e)
            {
                console.Fail(e.Message);
                return (int)ExitCode.Usage;
            }
            var asJson = parsed.GetValue(json);
            var progress = new StageProgress(stage => console.Error.MarkupLineInterpolated($"[grey]checking {stage}...[/]"));
            var report = await WssCheck.RunAsync(target, options, progress, cancellationToken);
            if (parsed.GetValue(reportFile) is { } reportPath)
            {
                var path = Path.GetFullPath(reportPath, console.WorkingDirectory);
                try
                {
                    await File.WriteAllTextAsync(path, CheckHtmlReport.Render(report), CancellationToken.None);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    console.Fail($"--report {path}: cannot write it ({e.Message.TrimEnd('.')}): choose a writable path");
                    return (int)ExitCode.Usage;
                }
                console.Error.MarkupLineInterpolated($"[grey]report written to {path}[/]");
            }
            if (asJson)
            {
                CheckJson.Write(console.RawOut, report);
            }
            else
            {
                CheckRendering.Write(console.Out, report);
            }
            return report.HasErrors ? (int)ExitCode.Failure : (int)ExitCode.Success;
        });
        return command;
    }

    private static TimeSpan IdleDuration(string text)
        => WssKit.Server.Configuration.Units.TryParseDuration(text, out var duration) && duration >= TimeSpan.FromSeconds(1) && duration <= TimeSpan.FromHours(1)
            ? duration
            : throw new ArgumentException($"--idle '{text}' is not a duration between 1s and 1h: use for example 120s or 5m");

    /// <summary>The proxy the environment gives for the URL (curl's variables), as WssKit.Client would use it.</summary>
    private static Uri? EnvironmentProxy(Uri target, CliConsole console)
    {
        try
        {
            return WssKit.Client.Connecting.ProxyTunnel.For(target, new WssKit.Client.WssClientOptions(), console.Environment);
        }
        catch (WssKit.Client.WssConnectException e)
        {
            throw new ArgumentException(e.Message);
        }
    }

    internal static X509Certificate2Collection LoadRoots(string path)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ArgumentException($"--ca {path}: cannot read it ({e.Message.TrimEnd('.')}): give a PEM file of certificates");
        }
        return roots.Count > 0 ? roots : throw new ArgumentException($"--ca {path} holds no PEM certificate: give a PEM file of certificates");
    }

    /// <summary>Reports on the caller's thread, so progress lines come in order and before the result (Progress&lt;T&gt; posts them).</summary>
    private sealed class StageProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
