using Spectre.Console;
using WssKit.Diagnostics;
using WssKit.Diagnostics.Findings;

namespace WssKit.Cli.Check;

/// <summary>A check for people: a section per stage with what was observed, the findings, and one verdict line.</summary>
internal static class CheckRendering
{
    public static void Write(IAnsiConsole console, CheckReport report)
    {
        console.MarkupLineInterpolated($"[bold]wss check {report.Target}[/]  [grey]{report.StartedAt:yyyy-MM-dd HH:mm:ss} UTC, {report.Took.TotalSeconds:0.0} s[/]");
        foreach (var stage in report.Stages)
        {
            console.WriteLine();
            var (colour, word) = stage.Outcome switch
            {
                StageOutcome.Passed => ("green", "ok"),
                StageOutcome.Failed => ("red", "failed"),
                _ => ("grey", "skipped"),
            };
            console.MarkupLine($"[bold]{stage.Name.ToUpperInvariant()}[/] [{colour}]{word}[/] [grey]{stage.Took.TotalMilliseconds:0} ms[/]");
            var width = stage.Facts.Count == 0 ? 0 : stage.Facts.Max(fact => fact.Key.Length);
            foreach (var (name, value) in stage.Facts)
            {
                console.MarkupLine($"  [grey]{Markup.Escape(name.PadRight(width))}[/]  {Markup.Escape(value)}");
            }
        }
        console.WriteLine();
        if (report.Findings.Count > 0)
        {
            console.MarkupLine("[bold]FINDINGS[/]");
            foreach (var finding in report.Findings)
            {
                var (colour, mark) = finding.Severity switch
                {
                    Severity.Error => ("red", "error"),
                    Severity.Warning => ("yellow", "warning"),
                    _ => ("blue", "info"),
                };
                console.WriteLine();
                console.MarkupLine($"[{colour}]{mark}[/] [bold]{finding.Id}[/] [grey]({finding.Category.Name()})[/]");
                console.MarkupLine($"  {Markup.Escape(finding.Cause)}");
                console.MarkupLine($"  [grey]evidence:[/]   {Markup.Escape(finding.Evidence)}");
                console.MarkupLine($"  [grey]fix:[/]        {Markup.Escape(finding.Fix)}");
                console.MarkupLine($"  [grey]prevention:[/] {Markup.Escape(finding.Prevention)}");
                console.MarkupLine($"  [grey]more:[/]       {Markup.Escape(finding.Docs)}");
            }
            console.WriteLine();
        }
        console.MarkupLine(Verdict(report));
    }

    private static string Verdict(CheckReport report)
    {
        var errors = report.Findings.Where(f => f.Severity == Severity.Error).Select(f => f.Id).Distinct().ToList();
        var warnings = report.Findings.Where(f => f.Severity == Severity.Warning).Select(f => f.Id).Distinct().ToList();
        if (errors.Count > 0)
        {
            return $"[bold red]FAIL[/] {Markup.Escape(string.Join(", ", errors))}{(warnings.Count > 0 ? $" [yellow](warnings: {Markup.Escape(string.Join(", ", warnings))})[/]" : "")}";
        }
        return warnings.Count > 0
            ? $"[bold yellow]WARN[/] {Markup.Escape(string.Join(", ", warnings))}: clients connect, but look at the findings"
            : "[bold green]OK[/] clients can connect, trust the certificate and exchange messages";
    }
}
