using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace WssKit.Cli.Bench;

/// <summary>The end of a run: a table for people, or one JSON object (documented in docs/bench.md) for machines.</summary>
internal static class BenchReport
{
    public static void WriteTable(CliConsole console, BenchResult result)
    {
        var settings = result.Settings;
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"wss bench {settings.Scenario.ToString().ToLowerInvariant()} {Markup.Escape(settings.Url.ToString())}")
            .AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("load", Load(settings));
        if (result.TlsVersion is not null)
        {
            Row("TLS", $"{result.TlsVersion}, {result.Cipher}");
        }
        Row("measured", $"{result.Elapsed:0.00} s");
        switch (settings.Scenario)
        {
            case Scenario.Echo:
                Row("messages echoed", $"{result.Messages:N0}");
                Row("messages/s", $"{result.MessagesPerSecond:N0}");
                Row("payload MB/s", $"{result.MegabytesPerSecond:N2}");
                break;
            case Scenario.Latency:
                Row("messages echoed", $"{result.Messages:N0}");
                Row("messages/s", $"{result.MessagesPerSecond:N0}");
                LatencyRows(Row, result.Latency!, "latency");
                Row("send lag p99 / max", $"{Microseconds(result.SendLag!.ValueAtPercentile(99))} / {Microseconds(result.SendLag.Max)}");
                break;
            case Scenario.Connect:
                Row("connections", $"{result.Completed:N0}");
                Row("connections/s", $"{result.ConnectionsPerSecond:N1}");
                LatencyRows(Row, result.Latency!, "connection time");
                break;
            case Scenario.Idle:
                Row("connections open", $"{result.Opened:N0} of {settings.Connections:N0}");
                Row("opened in", $"{result.OpenSeconds:0.00} s");
                Row("held", $"{result.Held:0.00} s");
                break;
        }
        if (settings.Scenario != Scenario.Idle)
        {
            Row("client CPU", $"{result.ClientCpuPercent:0} % of a core");
        }
        if (settings.Scenario != Scenario.Connect)
        {
            Row("sent / received", $"{result.Sent:N0} / {result.Received:N0}");
            Row("lost", $"{result.Lost:N0}");
            Row("corrupted", $"{result.Corrupted:N0}");
            Row("connections dropped", $"{result.Dropped:N0}");
        }
        else
        {
            Row("failed", result.FailureCount == 0 ? "0" : string.Join(", ", result.Failures.Select(f => $"{f.Key} {f.Value:N0}")));
        }
        console.Out.Write(table);
        foreach (var error in result.Errors)
        {
            console.Error.MarkupLineInterpolated($"[red]error:[/] {error}");
        }
        if (result.Ok)
        {
            console.Error.MarkupLine("[green]ok[/]: nothing lost, corrupted or refused");
        }
    }

    public static void WriteJson(CliConsole console, BenchResult result)
    {
        var settings = result.Settings;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("tool", "wss bench");
            json.WriteString("version", WssCli.Version);
            json.WriteString("scenario", settings.Scenario.ToString().ToLowerInvariant());
            json.WriteString("url", settings.Url.ToString());
            json.WriteStartObject("settings");
            json.WriteNumber("connections", settings.Connections);
            json.WriteNumber("window", settings.Window);
            json.WriteNumber("size", settings.Size);
            json.WriteBoolean("binary", settings.Binary);
            json.WriteNumber("rate", settings.Rate);
            json.WriteNumber("concurrency", settings.Concurrency);
            json.WriteNumber("duration_s", settings.Duration);
            json.WriteNumber("warmup_s", settings.Warmup);
            if (settings.Count is { } count)
            {
                json.WriteNumber("count", count);
            }
            else
            {
                json.WriteNull("count");
            }
            json.WriteNumber("connect_timeout_s", settings.ConnectTimeout);
            json.WriteEndObject();
            json.WriteBoolean("ok", result.Ok);
            if (result.TlsVersion is not null)
            {
                json.WriteString("tls_version", result.TlsVersion);
                json.WriteString("cipher", result.Cipher);
            }
            json.WriteNumber("elapsed_s", Math.Round(result.Elapsed, 3));
            switch (settings.Scenario)
            {
                case Scenario.Echo:
                case Scenario.Latency:
                    json.WriteNumber("messages", result.Messages);
                    json.WriteNumber("msgs_per_s", Math.Round(result.MessagesPerSecond, 1));
                    json.WriteNumber("mb_per_s", Math.Round(result.MegabytesPerSecond, 3));
                    if (result.Latency is { } latency)
                    {
                        WriteHistogram(json, "latency_us", latency);
                        WriteHistogram(json, "send_lag_us", result.SendLag!);
                    }
                    break;
                case Scenario.Connect:
                    json.WriteNumber("connections", result.Completed);
                    json.WriteNumber("conns_per_s", Math.Round(result.ConnectionsPerSecond, 1));
                    WriteHistogram(json, "connection_time_us", result.Latency!);
                    break;
                case Scenario.Idle:
                    json.WriteNumber("open_s", Math.Round(result.OpenSeconds, 3));
                    json.WriteNumber("held_s", Math.Round(result.Held, 3));
                    break;
            }
            if (settings.Scenario != Scenario.Idle)
            {
                json.WriteNumber("client_cpu_pct", Math.Round(result.ClientCpuPercent, 1));
            }
            if (settings.Scenario != Scenario.Connect)
            {
                json.WriteNumber("sent", result.Sent);
                json.WriteNumber("received", result.Received);
                json.WriteNumber("lost", result.Lost);
                json.WriteNumber("corrupted", result.Corrupted);
                json.WriteNumber("connections_opened", result.Opened);
                json.WriteNumber("connections_dropped", result.Dropped);
            }
            json.WriteStartObject("failures");
            foreach (var (stage, failures) in result.Failures)
            {
                json.WriteNumber(stage, failures);
            }
            json.WriteEndObject();
            json.WriteStartArray("errors");
            foreach (var error in result.Errors)
            {
                json.WriteStringValue(error);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        var writer = console.Out.Profile.Out.Writer;
        writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
        writer.Flush();
    }

    private static string Load(BenchSettings settings) => settings.Scenario switch
    {
        Scenario.Echo => $"{settings.Connections} connections x {settings.Window} in flight, {settings.Size} B {(settings.Binary ? "binary" : "text")}",
        Scenario.Latency => $"{settings.Rate:N0} msgs/s over {settings.Connections} connections, {settings.Size} B {(settings.Binary ? "binary" : "text")}",
        Scenario.Connect => $"{settings.Concurrency} at a time: TCP + TLS + upgrade + one {settings.Size} B echo + close",
        _ => $"{settings.Connections:N0} idle connections, opened {settings.Concurrency} at a time",
    };

    private static void LatencyRows(Action<string, string> row, Histogram histogram, string name)
    {
        row($"{name} p50", Microseconds(histogram.ValueAtPercentile(50)));
        row($"{name} p90", Microseconds(histogram.ValueAtPercentile(90)));
        row($"{name} p99", Microseconds(histogram.ValueAtPercentile(99)));
        row($"{name} p99.9", Microseconds(histogram.ValueAtPercentile(99.9)));
        row($"{name} max", Microseconds(histogram.Max));
    }

    private static string Microseconds(long nanoseconds) => $"{nanoseconds / 1000.0:N1} µs";

    private static void WriteHistogram(Utf8JsonWriter json, string name, Histogram histogram)
    {
        json.WriteStartObject(name);
        json.WriteNumber("samples", histogram.Count);
        json.WriteNumber("min", Math.Round(histogram.Min / 1000.0, 1));
        json.WriteNumber("mean", Math.Round(histogram.Mean / 1000.0, 1));
        json.WriteNumber("p50", Math.Round(histogram.ValueAtPercentile(50) / 1000.0, 1));
        json.WriteNumber("p90", Math.Round(histogram.ValueAtPercentile(90) / 1000.0, 1));
        json.WriteNumber("p99", Math.Round(histogram.ValueAtPercentile(99) / 1000.0, 1));
        json.WriteNumber("p99_9", Math.Round(histogram.ValueAtPercentile(99.9) / 1000.0, 1));
        json.WriteNumber("max", Math.Round(histogram.Max / 1000.0, 1));
        json.WriteEndObject();
    }
}
