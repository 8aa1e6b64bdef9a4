using System.CommandLine;
using System.Text.Json;
using Spectre.Console.Testing;
using WssKit.Cli;
using WssKit.Cli.Bench;

namespace WssKit.Tests.Cli.Bench;

/// <summary>docs/bench.md documents every option of wss bench and every key of its JSON, in every scenario.</summary>
public sealed class BenchDocumentationTests
{
    private static readonly string Reference = File.ReadAllText(Path.Combine(Repository.Root, "docs", "bench.md"));

    private static CliConsole Console(TestConsole output) => new(output, new TestConsole(), _ => null, Path.GetTempPath());

    public static TheoryData<string> Options
        => [.. BenchCommand.Create(Console(new TestConsole())).Options.SelectMany(option => new[] { option.Name }.Concat(option.Aliases))];

    public static TheoryData<string> Scenarios => [.. Enum.GetNames<Scenario>()];

    [Theory]
    [MemberData(nameof(Options))]
    public void BenchReference_Option_HasARow(string option)
    {
        var row = Reference.Split('\n').FirstOrDefault(line => line.StartsWith("| `--", StringComparison.Ordinal) && line.Split('|')[1].Contains($"`{option}`", StringComparison.Ordinal));

        Assert.True(row is not null, $"docs/bench.md has no row for `{option}`");
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void BenchReference_JsonKeysOfScenario_AllDocumented(string scenario)
    {
        var settings = new BenchSettings { Url = new Uri("wss://127.0.0.1:1/"), Scenario = Enum.Parse<Scenario>(scenario) };
        var result = new BenchResult(settings) { TlsVersion = "Tls13", Cipher = "TLS_AES_128_GCM_SHA256", Elapsed = 1 };
        if (settings.Scenario is Scenario.Latency or Scenario.Connect)
        {
            result.Latency = new Histogram();
            result.SendLag = new Histogram();
        }
        result.AddFailure("tcp", "refused");
        var output = new TestConsole().Width(100_000);

        BenchReport.WriteJson(Console(output), result);

        var keys = new List<string>();
        void Collect(JsonElement element)
        {
            foreach (var property in element.EnumerateObject())
            {
                keys.Add(property.Name);
                if (property.Value.ValueKind == JsonValueKind.Object && property.Name != "failures")
                {
                    Collect(property.Value);
                }
            }
        }
        Collect(JsonDocument.Parse(output.Output).RootElement);
        Assert.Contains("scenario", keys);
        Assert.All(keys, key => Assert.True(Reference.Contains($"`{key}`", StringComparison.Ordinal), $"docs/bench.md does not mention the JSON key `{key}`"));
    }
}
