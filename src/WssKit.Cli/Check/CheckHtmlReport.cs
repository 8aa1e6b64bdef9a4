using System.Globalization;
using System.Net;
using System.Text;
using WssKit.Diagnostics;
using WssKit.Diagnostics.Findings;

namespace WssKit.Cli.Check;

/// <summary>
/// A check as one self-contained HTML page (inline style, no scripts, nothing fetched) to hand to whoever helps. It
/// holds what the report holds and nothing more: request headers given with -H are never in it, and cookies a server
/// sets are already hidden by the check.
/// </summary>
internal static class CheckHtmlReport
{
    public static string Render(CheckReport report)
    {
        var html = new StringBuilder();
        var verdict = report.HasErrors ? ("fail", "FAIL") : report.HasWarnings ? ("warn", "WARN") : ("ok", "OK");
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>wss check {{E(report.Target.ToString())}}</title>
            <style>
            body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}
            h1{font-size:1.4em} h2{font-size:1.1em;margin-top:1.6em} table{border-collapse:collapse;width:100%}
            td{border-top:1px solid #ddd;padding:.25em .5em;vertical-align:top} td:first-child{color:#666;white-space:nowrap;width:14em}
            .ok{color:#1a7f37} .fail,.error{color:#c62828} .warn,.warning{color:#9a6700} .info,.skipped{color:#555}
            .finding{border-left:4px solid #ccc;padding:.3em 1em;margin:1em 0} .finding.error{border-color:#c62828}
            .finding.warning{border-color:#d4a72c} .finding.info{border-color:#8c959f} .finding p{margin:.3em 0;color:#222}
            .verdict{font-size:1.2em;font-weight:bold} code{font-size:.95em}
            </style></head><body>
            <h1>wss check <code>{{E(report.Target.ToString())}}</code></h1>
            <p>{{report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}} UTC, {{report.Took.TotalSeconds:0.0}} s. <span class="verdict {{verdict.Item1}}">{{verdict.Item2}}</span></p>

            """);
        if (report.Findings.Count > 0)
        {
            html.Append("<h2>Findings</h2>\n");
            foreach (var finding in report.Findings)
            {
                var severity = finding.Severity.ToString().ToLowerInvariant();
                html.Append(CultureInfo.InvariantCulture, $"""
                    <div class="finding {severity}"><strong class="{severity}">{severity}</strong> <strong>{E(finding.Id)}</strong> ({E(finding.Category.Name())})
                    <p>{E(finding.Cause)}</p><p><b>Evidence:</b> {E(finding.Evidence)}</p><p><b>Fix:</b> {E(finding.Fix)}</p>
                    <p><b>Prevention:</b> {E(finding.Prevention)}</p><p><b>More:</b> <code>{E(finding.Docs)}</code></p></div>

                    """);
            }
        }
        foreach (var stage in report.Stages)
        {
            var outcome = stage.Outcome switch { StageOutcome.Passed => "ok", StageOutcome.Failed => "fail", _ => "skipped" };
            html.Append(CultureInfo.InvariantCulture, $"<h2>{E(stage.Name.ToUpperInvariant())} <span class=\"{outcome}\">{outcome}</span> <small>{stage.Took.TotalMilliseconds:0} ms</small></h2>\n<table>\n");
            foreach (var (name, value) in stage.Facts)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(name.Trim())}</td><td>{E(value)}</td></tr>\n");
            }
            html.Append("</table>\n");
        }
        html.Append("<p><small>Made by wss check (WssKit). Every figure above was observed on this run.</small></p>\n</body></html>\n");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
