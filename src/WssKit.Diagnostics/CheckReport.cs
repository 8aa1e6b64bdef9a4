using WssKit.Diagnostics.Findings;

namespace WssKit.Diagnostics;

/// <summary>How a stage of the check went.</summary>
public enum StageOutcome
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>One stage's observations, in order, as name and value, for people and for JSON.</summary>
public sealed record StageReport(string Name, StageOutcome Outcome, TimeSpan Took, IReadOnlyList<KeyValuePair<string, string>> Facts);

/// <summary>Everything one run of wss check observed and concluded.</summary>
public sealed record CheckReport(Uri Target, DateTimeOffset StartedAt, TimeSpan Took, IReadOnlyList<StageReport> Stages, IReadOnlyList<Finding> Findings)
{
    public bool HasErrors => Findings.Any(finding => finding.Severity == Severity.Error);

    public bool HasWarnings => Findings.Any(finding => finding.Severity == Severity.Warning);
}
