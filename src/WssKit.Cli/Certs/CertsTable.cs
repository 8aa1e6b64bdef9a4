using Spectre.Console;
using WssKit.Diagnostics.Certs;

namespace WssKit.Cli.Certs;

/// <summary>wss certs for people: a row per target, the status coloured, then a summary line.</summary>
internal static class CertsTable
{
    public static void Write(IAnsiConsole console, CertsReport report)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("target", "status", "days left", "lifetime left", "expires", "issuer", "chain expires", "note");
        table.Columns[2].RightAligned();
        table.Columns[3].RightAligned();
        foreach (var result in report.Results)
        {
            table.AddRow(
                Markup.Escape(result.Target.ToString()),
                $"[{Colour(result.Status)}]{CertsFormat.Status(result.Status)}[/]",
                result.DaysLeft is { } days ? CertsFormat.DaysLeft(days) : "-",
                result.LifetimeLeft is { } left ? CertsFormat.Percent(left) : "-",
                result.Leaf is { } leaf ? CertsFormat.Day(leaf.NotAfter) : "-",
                result.Leaf is { } issued ? Markup.Escape(issued.IssuerName) : "-",
                Markup.Escape(ChainExpires(result)),
                Markup.Escape(string.Join("; ", result.Problems.Select(problem => problem.Message))));
        }
        console.Write(table);
        var counts = string.Join(", ", Enum.GetValues<CertStatus>().Select(status => Count(report.Count(status), status)));
        var verdict = report.Status == CertStatus.Ok ? "[green]all ok[/]" : $"[{Colour(report.Status)}]needs attention[/]";
        console.MarkupLine($"{report.Results.Count} target{(report.Results.Count == 1 ? "" : "s")}: {counts}; {verdict} [grey](warning: {Markup.Escape(CertsFormat.Threshold(report.Options))})[/]");
    }

    /// <summary>The chain's expiry, naming the certificate when one above the leaf expires first.</summary>
    private static string ChainExpires(CertResult result)
    {
        if (result.ChainEarliest is not { } first || result.Leaf is not { } leaf)
        {
            return "-";
        }
        return first.NotAfter < leaf.NotAfter ? $"{CertsFormat.Day(first.NotAfter)} ({CertsFormat.CommonName(first.Subject)})" : CertsFormat.Day(first.NotAfter);
    }

    private static string Count(int count, CertStatus status)
        => $"{count} {CertsFormat.Status(status)}" + (status == CertStatus.Ok || count == 1 ? "" : "s");

    private static string Colour(CertStatus status) => status switch
    {
        CertStatus.Ok => "green",
        CertStatus.Warning => "yellow",
        _ => "red",
    };
}
