using WssKit.Server.Configuration;

namespace WssKit.Tests.Configuration;

/// <summary>docs/configuration.md documents every setting under all three of its names, and nothing that is not one.</summary>
public sealed class DocumentationTests
{
    private static readonly string Reference = File.ReadAllText(Path.Combine(Repository.Root, "docs", "configuration.md"));

    public static TheoryData<string> Keys => [.. ServeSettings.All.Select(setting => setting.Key)];

    [Theory]
    [MemberData(nameof(Keys))]
    public void ConfigurationReference_Setting_HasARowWithItsKeyFlagAndVariable(string key)
    {
        var setting = ServeSettings.Find(key);
        var row = Reference.Split('\n').FirstOrDefault(line => line.StartsWith($"| `{key}` |", StringComparison.Ordinal));

        Assert.True(row is not null, $"docs/configuration.md has no row for `{key}`");
        if (!setting.FileOnly)
        {
            Assert.Contains($"`{setting.Flag}`", row);
            Assert.Contains($"`{setting.EnvironmentVariable}`", row);
        }
    }

    [Fact]
    public void ConfigurationReference_Rows_AreAllRealSettings()
    {
        var documented = Reference.Split('\n')
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Split('`')[1]);

        Assert.All(documented, key => Assert.Contains(key, ServeSettings.All.Select(setting => setting.Key)));
    }
}
