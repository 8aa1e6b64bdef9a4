using System.Text.Json;
using WssKit.Diagnostics;
using WssKit.Diagnostics.Findings;

namespace WssKit.Cli.Check;

/// <summary>The JSON form of a check (docs/check-json.md): stable names, for scripts and CI.</summary>
internal static class CheckJson
{
    public const string Schema = "wsskit.check/1";

    public static void Write(Stream output, CheckReport report)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("schema", Schema);
        writer.WriteString("target", report.Target.ToString());
        writer.WriteString("startedAt", report.StartedAt);
        writer.WriteNumber("durationMs", Math.Round(report.Took.TotalMilliseconds, 1));
        writer.WriteString("verdict", report.HasErrors ? "error" : report.HasWarnings ? "warning" : "ok");
        writer.WriteStartArray("stages");
        foreach (var stage in report.Stages)
        {
            writer.WriteStartObject();
            writer.WriteString("name", stage.Name);
            writer.WriteString("outcome", stage.Outcome.ToString().ToLowerInvariant());
            writer.WriteNumber("durationMs", Math.Round(stage.Took.TotalMilliseconds, 1));
            writer.WriteStartArray("facts");
            foreach (var (name, value) in stage.Facts)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name.Trim());
                writer.WriteString("value", value);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("findings");
        foreach (var finding in report.Findings)
        {
            writer.WriteStartObject();
            writer.WriteString("id", finding.Id);
            writer.WriteString("category", finding.Category.Name());
            writer.WriteString("severity", finding.Severity.ToString().ToLowerInvariant());
            writer.WriteString("cause", finding.Cause);
            writer.WriteString("evidence", finding.Evidence);
            writer.WriteString("fix", finding.Fix);
            writer.WriteString("prevention", finding.Prevention);
            writer.WriteString("docs", finding.Docs);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        output.Write("\n"u8);
        output.Flush();
    }
}
