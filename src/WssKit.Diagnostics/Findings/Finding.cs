namespace WssKit.Diagnostics.Findings;

/// <summary>
/// One conclusion of a check, in the article's pattern: the likely cause, the evidence that confirms it (what was sent,
/// what came back), the fix, and how to prevent it next time.
/// </summary>
public sealed record Finding(string Id, Severity Severity, string Cause, string Evidence, string Fix, string Prevention)
{
    /// <summary>The finding's category, from the catalog.</summary>
    public FindingCategory Category => FindingCatalog.Get(Id).Category;

    /// <summary>The page that explains it.</summary>
    public string Docs => FindingCatalog.DocsPath(Id);

    /// <summary>A finding with the catalog's severity for its id.</summary>
    public static Finding Of(string id, string cause, string evidence, string fix, string prevention)
        => new(id, FindingCatalog.Get(id).Severity, cause, evidence, fix, prevention);
}
