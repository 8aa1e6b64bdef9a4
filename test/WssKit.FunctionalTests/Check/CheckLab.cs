using System.Security.Cryptography.X509Certificates;
using WssKit.Diagnostics;
using WssKit.Diagnostics.Findings;

namespace WssKit.FunctionalTests.Check;

/// <summary>Runs wss check in the test process and says what it found, with everything it saw when an assertion fails.</summary>
internal static class CheckLab
{
    public static Task<CheckReport> CheckAsync(string url, string? ca = null, CheckOptions? options = null)
    {
        var roots = new X509Certificate2Collection();
        if (ca is not null)
        {
            roots.ImportFromPemFile(ca);
        }
        return WssCheck.RunAsync(new Uri(url), (options ?? new CheckOptions()) with { ExtraRoots = roots });
    }

    public static Finding AssertFinding(this CheckReport report, string id)
    {
        var finding = report.Findings.FirstOrDefault(f => f.Id == id);
        Assert.True(finding is not null, $"no {id} finding in:\n{Describe(report)}");
        return finding;
    }

    public static void AssertNoProblem(this CheckReport report)
        => Assert.True(!report.HasErrors && !report.HasWarnings, $"a healthy endpoint got errors or warnings:\n{Describe(report)}");

    public static string Describe(CheckReport report)
        => string.Join('\n', report.Findings.Select(f => $"{f.Severity} {f.Id}: {f.Cause}\n    evidence: {f.Evidence}"))
            + "\n" + string.Join('\n', report.Stages.Select(s => $"[{s.Name} {s.Outcome}] " + string.Join("; ", s.Facts.Select(f => $"{f.Key}={f.Value}"))));
}
