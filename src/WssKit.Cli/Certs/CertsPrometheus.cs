using System.Globalization;
using System.Text;
using WssKit.Diagnostics.Certs;

namespace WssKit.Cli.Certs;

/// <summary>
/// The Prometheus text format for node_exporter's textfile collector (docs/certs.md lists the metrics). Written to
/// FILE.tmp and renamed over FILE, so the collector never reads half a file.
/// </summary>
internal static class CertsPrometheus
{
    /// <summary>The path, once its directory is known to exist; a message naming the fix otherwise.</summary>
    public static string CheckPath(string path)
    {
        var directory = Path.GetDirectoryName(path);
        if (Directory.Exists(path))
        {
            throw new ArgumentException($"--prometheus {path} is a directory: give a file in it, e.g. {Path.Combine(path, "wss_certs.prom")}");
        }
        return directory is null || Directory.Exists(directory)
            ? path
            : throw new ArgumentException($"--prometheus {path}: the directory {directory} does not exist: create it, or give the textfile collector's directory");
    }

    public static void WriteFile(string path, CertsReport report)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, Render(report), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, path, overwrite: true);
    }

    public static string Render(CertsReport report)
    {
        var text = new StringBuilder();
        var results = report.Results;
        var fetched = results.Where(result => result.Leaf is not null).ToList();
        Family(text, "wss_cert_probe_success", "Whether the certificate of the target could be fetched (1) or not (0).",
            results.Select(result => (Target(result), Bool(result.ProbeSucceeded))));
        Family(text, "wss_cert_status", "The status of the target: 1 for the one it has of ok, warning and error, 0 for the others.",
            results.SelectMany(result => Enum.GetValues<CertStatus>().Select(status =>
                (Target(result) + $",status=\"{CertsFormat.Status(status)}\"", Bool(result.Status == status)))));
        Family(text, "wss_cert_not_before_timestamp_seconds", "When the leaf certificate became valid, in seconds since 1970.",
            fetched.Select(result => (Leaf(result), Seconds(result.Leaf!.NotBefore))));
        Family(text, "wss_cert_not_after_timestamp_seconds", "When the leaf certificate expires, in seconds since 1970.",
            fetched.Select(result => (Leaf(result), Seconds(result.Leaf!.NotAfter))));
        Family(text, "wss_cert_lifetime_remaining_ratio", "The fraction of the leaf certificate's lifetime left, from 0 (expired) to 1.",
            fetched.Select(result => (Target(result), Number(result.LifetimeLeft!.Value))));
        Family(text, "wss_cert_earliest_not_after_timestamp_seconds", "When the first of the certificates the server sends (leaf and intermediates) expires.",
            fetched.Select(result => (Target(result), Seconds(result.Earliest!.NotAfter))));
        Family(text, "wss_cert_chain_not_after_timestamp_seconds", "When the first certificate of the best chain built (leaf to root) expires.",
            fetched.Select(result => (Target(result), Seconds(result.ChainEarliest!.NotAfter))));
        Family(text, "wss_cert_chain_trusted", "Whether the chain served leads to a trusted root (1) or not (0).",
            fetched.Select(result => (Target(result), Bool(result.ChainTrusted))));
        Family(text, "wss_cert_name_matches", "Whether the leaf certificate covers the target's host name (1) or not (0).",
            fetched.Select(result => (Target(result), Bool(result.NameMatches))));
        Family(text, "wss_certs_last_run_timestamp_seconds", "When wss certs last wrote this file, in seconds since 1970.",
            [("", Seconds(report.CheckedAt + report.Took))]);
        return text.ToString();
    }

    private static void Family(StringBuilder text, string name, string help, IEnumerable<(string Labels, string Value)> samples)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" gauge\n");
        foreach (var (labels, value) in samples)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{').Append(labels).Append('}');
            }
            text.Append(' ').Append(value).Append('\n');
        }
    }

    private static string Target(CertResult result) => $"target=\"{Escape(result.Target.ToString())}\"";

    private static string Leaf(CertResult result)
        => Target(result) + $",subject=\"{Escape(result.Leaf!.Subject)}\",issuer=\"{Escape(result.Leaf.Issuer)}\",serial=\"{Escape(result.Leaf.SerialNumber)}\"";

    /// <summary>Label values escape backslash, double quote and line feed (the text format's only escapes).</summary>
    public static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Bool(bool value) => value ? "1" : "0";

    private static string Seconds(DateTimeOffset when) => when.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
