using System.Globalization;
using Spectre.Console;
using WssKit.Certificates.Inspection;
using WssKit.Server.Configuration;
using WssKit.Server.Hosting;

namespace WssKit.Cli.Serve;

/// <summary>What a started server shows: where to connect, which certificate is served, and how clients trust it.</summary>
internal static class StartupReportView
{
    public static void Render(IAnsiConsole console, StartupReport report, EffectiveSettings settings)
    {
        console.MarkupLineInterpolated($"[bold]wss serve[/] [grey]{WssCli.Version}[/]{(settings.ConfigFile is { } file ? $"  (settings from {file})" : "")}");
        foreach (var url in report.EchoUrls)
        {
            console.MarkupLineInterpolated($"  [green]echo[/]        {url}");
        }
        var https = report.EchoUrls.FirstOrDefault()?.Replace("wss://", "https://", StringComparison.Ordinal).Replace("/echo", "", StringComparison.Ordinal);
        console.MarkupLineInterpolated($"  health      {https}/healthz    metrics {https}/metrics");
        console.MarkupLineInterpolated($"  listening   {string.Join(", ", report.Addresses)}");
        console.MarkupLineInterpolated($"  tls         {report.Tls}");
        if (report.PlainHttpUrl is { } plain)
        {
            console.MarkupLineInterpolated($"  plain HTTP  {plain}{(report.Insecure ? "/echo (unencrypted ws://)" : " (redirects to https, refuses ws://)")}");
        }
        foreach (var site in report.Sites)
        {
            var certificate = site.Certificate;
            var left = certificate.NotAfter - DateTimeOffset.UtcNow;
            console.WriteLine();
            console.MarkupLineInterpolated($"[bold]certificate[/] {(site.Hosts.Count == 0 ? "(default)" : "for " + string.Join(", ", site.Hosts))}");
            console.MarkupLineInterpolated($"  from        {certificate.Source}");
            console.MarkupLineInterpolated($"  subject     {certificate.Leaf.Subject}");
            console.MarkupLineInterpolated($"  names       {string.Join(", ", certificate.Names)}");
            console.MarkupLineInterpolated($"  SHA-256     {certificate.Fingerprint}");
            console.MarkupLineInterpolated($"  expires     {certificate.NotAfter.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)} (in {CertificateInspector.Span(left)}){(report.DevelopmentCa is not null && site.Hosts.Count == 0 ? ", renewed automatically" : "")}");
            foreach (var problem in site.Problems)
            {
                var colour = problem.Severity == ProblemSeverity.Warning ? "yellow" : "grey";
                console.MarkupLineInterpolated($"  [{colour}]{problem.Severity.ToString().ToLowerInvariant()}[/]     {problem.Message} [grey]({problem.Code})[/]");
            }
        }
        if (report.DevelopmentCa is { } ca)
        {
            console.WriteLine();
            console.MarkupLineInterpolated($"[bold]trust it[/] {(ca.Created ? "(a new development CA was just created)" : "")}");
            console.MarkupLineInterpolated($"  CA          {ca.CertificatePath}");
            console.MarkupLine("  system      [blue]sudo wss cert trust[/]   (curl, Python, Go, .NET and other programs that use the system store)");
            console.MarkupLineInterpolated($"  Node.js     NODE_EXTRA_CA_CERTS={ca.CertificatePath} node app.js");
            console.MarkupLineInterpolated($"  Python      SSL_CERT_FILE={ca.CertificatePath} python3 app.py");
            console.MarkupLineInterpolated($"  curl        curl --cacert {ca.CertificatePath} {https}/healthz");
            console.MarkupLine("  a copy      [blue]wss cert ca --export wsskit-ca.pem[/]");
        }
        foreach (var warning in report.Warnings)
        {
            console.WriteLine();
            console.MarkupLineInterpolated($"[bold yellow]WARNING[/] {warning}");
        }
        console.WriteLine();
        console.MarkupLine("[grey]Ctrl+C or SIGTERM stops (closing WebSockets with 1001); SIGHUP reloads the certificates.[/]");
    }
}
