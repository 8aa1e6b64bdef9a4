using WssKit.Diagnostics.Findings;

namespace WssKit.Tests.Diagnostics;

/// <summary>Every finding id has its page (docs/findings/ID.md), with the catalog's category and severity, and every page an id.</summary>
public sealed class FindingPagesTests
{
    private static readonly string Folder = Path.Combine(Repository.Root, "docs", "findings");

    public static TheoryData<string> Ids => [.. FindingCatalog.All.Select(kind => kind.Id)];

    [Theory]
    [MemberData(nameof(Ids))]
    public void Page_ForEveryId_NamesItsCategoryAndSeverity(string id)
    {
        var path = Path.Combine(Folder, id + ".md");
        Assert.True(File.Exists(path), $"{FindingCatalog.DocsPath(id)} is missing");
        var lines = File.ReadAllLines(path);
        var kind = FindingCatalog.Get(id);

        Assert.Equal($"# {id}", lines[0]);
        Assert.Contains(lines, line => line == $"**Category:** {kind.Category.Name()} · **Severity:** {kind.Severity.ToString().ToLowerInvariant()}");
    }

    [Fact]
    public void Pages_EachBelongsToAnId_AndTheIndexListsThemAll()
    {
        var pages = Directory.GetFiles(Folder, "*.md").Select(Path.GetFileNameWithoutExtension).Where(name => name != "README").Order().ToList();
        var index = File.ReadAllText(Path.Combine(Folder, "README.md"));

        Assert.Equal(FindingCatalog.All.Select(kind => kind.Id).Order(), pages);
        Assert.All(pages, id => Assert.Contains($"({id}.md)", index));
    }

    [Fact]
    public void Catalog_IdsAreUniqueAndKebabCase()
    {
        Assert.Equal(FindingCatalog.All.Count, FindingCatalog.All.Select(kind => kind.Id).Distinct().Count());
        Assert.All(FindingCatalog.All, kind => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", kind.Id));
    }
}
