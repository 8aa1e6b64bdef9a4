using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using WssKit.Diagnostics.Certs;

namespace WssKit.Cli.Certs;

/// <summary>
/// wss certs HOST[:PORT]... | --targets FILE: certificate expiry across many endpoints, for people (a table), scripts
/// (--json) and Prometheus (--prometheus FILE). Exit 0 when every target is ok, 1 when one needs attention, 2 on bad arguments.
/// </summary>
internal static class CertsCommand
{
    public static Command Create(CliConsole console)
    {
        var targets = new Argument<string[]>("TARGET")
        {
            Description = "HOST, HOST:PORT, [IPv6]:PORT, or a wss:// or https:// URL [default port: 443]",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var files = new Option<string[]>("--targets") { Description = "a file of targets, one a line; blank lines and '#' comments are ignored; repeatable", HelpName = "FILE", AllowMultipleArgumentsPerToken = false };
        var timeout = new Option<double>("--timeout") { Description = "seconds allowed for each target (TCP connect and TLS handshake)", HelpName = "SECONDS", DefaultValueFactory = _ => 5 };
        var warnFraction = new Option<double?>("--warn-fraction") { Description = "warn when less than this fraction of a certificate's lifetime is left [default: 1/3]", HelpName = "FRACTION" };
        var warnDays = new Option<double?>("--warn-days") { Description = "also warn when fewer than this many days are left", HelpName = "DAYS" };
        var concurrency = new Option<int>("--concurrency") { Description = "how many targets to probe at once", HelpName = "N", DefaultValueFactory = _ => 16 };
        var ca = new Option<string>("--ca") { Description = "a PEM file of roots to trust besides the system's (a private CA)", HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "one JSON document on standard output instead of the table (schema: docs/certs.md)" };
        var prometheus = new Option<string>("--prometheus") { Description = "also write the results for node_exporter's textfile collector to FILE (atomically; name it *.prom)", HelpName = "FILE" };
        var command = new Command("certs", "Track certificate expiry across many TLS endpoints: days left, lifetime left, issuer, chain expiry; exit 1 when one needs attention.")
        {
            targets, files, timeout, warnFraction, warnDays, concurrency, ca, json, prometheus,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            List<CertTarget> list;
            CertsOptions options;
            string? prometheusPath = null;
            try
            {
                list = Targets(console, parsed.GetValue(targets) ?? [], parsed.GetValue(files) ?? []);
                options = Options(console, parsed.GetValue(timeout), parsed.GetValue(warnFraction), parsed.GetValue(warnDays),
                    parsed.GetValue(concurrency), parsed.GetValue(ca));
                if (parsed.GetValue(prometheus) is { } path)
                {
                    prometheusPath = CertsPrometheus.CheckPath(Path.GetFullPath(path, console.WorkingDirectory));
                }
            }
            catch (ArgumentException e)
            {
                console.Fail(e.Message);
                return (int)ExitCode.Usage;
            }
            var asJson = parsed.GetValue(json);
            if (!asJson && console.IsInteractive)
            {
                console.Error.MarkupLineInterpolated($"[grey]probing {list.Count} target{(list.Count == 1 ? "" : "s")}, {options.Concurrency} at a time...[/]");
            }
            var report = await WssCerts.RunAsync(list, options, cancellationToken: cancellationToken);
            if (asJson)
            {
                CertsJson.Write(console.RawOut, report);
            }
            else
            {
                CertsTable.Write(console.Out, report);
            }
            if (prometheusPath is not null)
            {
                try
                {
                    CertsPrometheus.WriteFile(prometheusPath, report);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    console.Fail($"--prometheus {prometheusPath}: cannot write it ({e.Message.TrimEnd('.')}): give a path in a writable directory");
                    return (int)ExitCode.Failure;
                }
            }
            return report.Status == CertStatus.Ok ? (int)ExitCode.Success : (int)ExitCode.Failure;
        });
        return command;
    }

    private static List<CertTarget> Targets(CliConsole console, string[] arguments, string[] files)
    {
        var targets = new List<CertTarget>();
        try
        {
            targets.AddRange(arguments.Select(CertTarget.Parse));
            foreach (var file in files)
            {
                var path = Path.GetFullPath(file, console.WorkingDirectory);
                string[] lines;
                try
                {
                    lines = File.ReadAllLines(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new ArgumentException($"--targets {path}: cannot read it ({e.Message.TrimEnd('.')}): give a file of targets, one HOST[:PORT] a line");
                }
                targets.AddRange(TargetList.Parse(lines, $"--targets {path}"));
            }
        }
        catch (FormatException e)
        {
            throw new ArgumentException(e.Message);
        }
        return targets.Count > 0
            ? [.. targets.Distinct()]
            : throw new ArgumentException(files.Length > 0
                ? $"no targets in {string.Join(", ", files)}: write one HOST[:PORT] a line"
                : "no targets: give HOST[:PORT] arguments or --targets FILE");
    }

    private static CertsOptions Options(CliConsole console, double timeout, double? warnFraction, double? warnDays, int concurrency, string? ca)
    {
        if (!(timeout is > 0 and <= 300))
        {
            throw new ArgumentException($"--timeout {Number(timeout)}: give seconds between 0 and 300, e.g. --timeout 5");
        }
        if (warnFraction is { } fraction && !(fraction is > 0 and < 1))
        {
            throw new ArgumentException($"--warn-fraction {Number(fraction)}: give a fraction of the lifetime between 0 and 1, e.g. --warn-fraction 0.33");
        }
        if (warnDays is { } days && !(days is >= 0 and <= 3650))
        {
            throw new ArgumentException($"--warn-days {Number(days)}: give a number of days from 0 to 3650, e.g. --warn-days 14");
        }
        if (concurrency is < 1 or > 256)
        {
            throw new ArgumentException($"--concurrency {concurrency}: give a number from 1 to 256");
        }
        return new CertsOptions
        {
            Timeout = TimeSpan.FromSeconds(timeout),
            WarnFraction = warnFraction ?? CertsOptions.DefaultWarnFraction,
            WarnDays = warnDays,
            Concurrency = concurrency,
            ExtraRoots = ca is null ? [] : Check.CheckCommand.LoadRoots(Path.GetFullPath(ca, console.WorkingDirectory)),
        };
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
