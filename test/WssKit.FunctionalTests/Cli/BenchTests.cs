using System.Text.Json;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Cli;

/// <summary>`wss bench` as users run it: the real CLI process against a real `wss serve`, short bounded runs.</summary>
public sealed class BenchTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private static Task<ToolResult> BenchAsync(params string[] arguments)
        => Tool.RunAsync("dotnet", [Repository.WssDll, "bench", .. arguments], Limit);

    private static JsonElement Json(ToolResult result)
    {
        var line = Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return JsonDocument.Parse(line).RootElement;
    }

    [Fact]
    public async Task Bench_EchoAgainstWssServe_JsonCountsEveryEchoAndNothingLost()
    {
        await using var server = await CliServer.StartAsync([]);

        var result = await BenchAsync(server.Url(), "--ca", server.CaPath, "-c", "4", "-w", "8", "--size", "100", "--duration", "1", "--warmup", "0.2", "--json");

        Assert.True(result.ExitCode == 0, result.All);
        var json = Json(result);
        Assert.Equal("echo", json.GetProperty("scenario").GetString());
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.Equal("Tls13", json.GetProperty("tls_version").GetString());
        Assert.Equal(4, json.GetProperty("connections_opened").GetInt32());
        Assert.Equal(0, json.GetProperty("connections_dropped").GetInt32());
        Assert.Equal(0, json.GetProperty("lost").GetInt64());
        Assert.Equal(0, json.GetProperty("corrupted").GetInt64());
        var sent = json.GetProperty("sent").GetInt64();
        Assert.True(sent > 100, $"only {sent} messages sent");
        Assert.Equal(sent, json.GetProperty("received").GetInt64());
        var messages = json.GetProperty("messages").GetInt64();
        Assert.InRange(messages, 1, sent);
        var elapsed = json.GetProperty("elapsed_s").GetDouble();
        Assert.InRange(elapsed, 0.9, 5);
        // elapsed_s is rounded to the millisecond.
        Assert.Equal(messages / elapsed, json.GetProperty("msgs_per_s").GetDouble(), messages / elapsed / 500);
        Assert.Equal(messages / elapsed * 100 / 1e6, json.GetProperty("mb_per_s").GetDouble(), messages / elapsed * 100 / 1e6 / 500);
        Assert.Empty(json.GetProperty("errors").EnumerateArray());
    }

    [Fact]
    public async Task Bench_EchoTable_RowsOnStdoutAndOkOnStderr()
    {
        await using var server = await TestServer.StartAsync();

        var result = await BenchAsync(server.Url(), "--ca", server.CaPath, "-c", "2", "--duration", "0.5", "--warmup", "0", "--binary");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("wss bench echo " + server.Url(), result.Output);
        Assert.Contains("2 connections x 16 in flight, 32 B binary", result.Output);
        Assert.Matches(@"messages/s\s*│\s*[\d,]+\s*│", result.Output);
        Assert.Matches(@"lost\s*│\s*0\s*│", result.Output);
        Assert.Contains("ok: nothing lost, corrupted or refused", result.Error);
        // Not a terminal and no --progress: no progress lines.
        Assert.DoesNotContain("measure", result.Error);
    }

    [Fact]
    public async Task Bench_EchoWithCount_StopsAfterThatManyMessages()
    {
        await using var server = await TestServer.StartAsync();

        var result = await BenchAsync(server.Url(), "--ca", server.CaPath, "-c", "3", "-w", "4", "--count", "500", "--duration", "30", "--warmup", "0", "--json", "--progress");

        Assert.True(result.ExitCode == 0, result.All);
        var json = Json(result);
        Assert.Equal(500, json.GetProperty("sent").GetInt64());
        Assert.Equal(500, json.GetProperty("messages").GetInt64());
        Assert.True(json.GetProperty("elapsed_s").GetDouble() < 30, "--count did not end the run");
    }

    [Fact]
    public async Task Bench_LatencyWithCount_EverySampleTimedAndPercentilesOrdered()
    {
        await using var server = await TestServer.StartAsync();

        var result = await BenchAsync(server.Url(), "--ca", server.CaPath, "--scenario", "latency", "-c", "4", "--rate", "400", "--count", "200", "--warmup", "0.2", "--json");

        Assert.True(result.ExitCode == 0, result.All);
        var json = Json(result);
        Assert.Equal(200, json.GetProperty("messages").GetInt64());
        var latency = json.GetProperty("latency_us");
        Assert.Equal(200, latency.GetProperty("samples").GetInt64());
        var figures = new[] { "min", "p50", "p90", "p99", "p99_9", "max" }.Select(name => latency.GetProperty(name).GetDouble()).ToArray();
        Assert.True(figures[0] > 0, "a round trip took no time");
        Assert.Equal(figures.Order(), figures);
        // 200 messages at 400/s: half a second of schedule.
        Assert.Equal(0.5, json.GetProperty("elapsed_s").GetDouble(), 0.01);
        Assert.Equal(0, json.GetProperty("lost").GetInt64());
    }

    [Fact]
    public async Task Bench_Connect_CountsWholeConnectionsWithoutFailures()
    {
        await using var server = await TestServer.StartAsync();

        var result = await BenchAsync(server.Url(), "--ca", server.CaPath, "--scenario", "connect", "--concurrency", "2", "--count", "10", "--duration", "30", "--warmup", "0", "--json");

        Assert.True(result.ExitCode == 0, result.All);
        var json = Json(result);
        Assert.Equal(10, json.GetProperty("connections").GetInt64());
        Assert.Equal(json.GetProperty("connections").GetInt64(), json.GetProperty("connection_time_us").GetProperty("samples").GetInt64());
        Assert.Empty(json.GetProperty("failures").EnumerateObject());
        Assert.True(json.GetProperty("conns_per_s").GetDouble() > 0);
    }

    [Fact]
    public async Task Bench_Idle_HoldsEveryConnectionForTheDuration()
    {
        await using var server = await TestServer.StartAsync();

        var result = await BenchAsync(server.Url(), "--ca", server.CaPath, "--scenario", "idle", "-c", "30", "--duration", "1", "--json");

        Assert.True(result.ExitCode == 0, result.All);
        var json = Json(result);
        Assert.Equal(30, json.GetProperty("connections_opened").GetInt32());
        Assert.Equal(0, json.GetProperty("connections_dropped").GetInt32());
        Assert.InRange(json.GetProperty("held_s").GetDouble(), 0.95, 3);
    }

    [Fact]
    public async Task Bench_MessagesOverTheServersLimit_ReportsDroppedConnectionsAndExitsOne()
    {
        await using var server = await TestServer.StartAsync(options => options.MaxMessageSize = 1000);

        var result = await BenchAsync(server.Url(), "--ca", server.CaPath, "-c", "2", "--size", "2000", "--duration", "0.5", "--warmup", "0", "--json");

        Assert.True(result.ExitCode == 1, result.All);
        var json = Json(result);
        Assert.False(json.GetProperty("ok").GetBoolean());
        Assert.Equal(2, json.GetProperty("connections_dropped").GetInt32());
        Assert.True(json.GetProperty("lost").GetInt64() > 0);
        Assert.Contains(json.GetProperty("errors").EnumerateArray(), error => error.GetString()!.Contains("code 1009", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bench_UntrustedCertificate_OneLineNamingTheTlsStageExitsOne()
    {
        await using var server = await TestServer.StartAsync();

        var result = await BenchAsync(server.Url(), "--duration", "1");

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"wss: cannot connect to {server.Url()}: tls: ", error);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Bench_NothingListens_OneLineNamingTheTcpStageExitsOne()
    {
        var result = await BenchAsync("ws://127.0.0.1:1/", "--duration", "1", "--scenario", "connect");

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("wss: cannot connect to ws://127.0.0.1:1/: tcp: 127.0.0.1:1 refused the connection", error);
    }

    [Fact]
    public async Task Bench_Insecure_WarnsLoudlyAndRuns()
    {
        await using var server = await TestServer.StartAsync();

        var result = await BenchAsync(server.Url(), "--insecure", "-c", "1", "--duration", "0.3", "--warmup", "0");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("WARNING: --insecure: the server's certificate is NOT checked", result.Error);
    }
}
