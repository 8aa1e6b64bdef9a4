using System.Text.Json;
using WssKit.Diagnostics.Certs;

namespace WssKit.Cli.Certs;

/// <summary>The JSON form of a wss certs run (docs/certs.md): stable names, for scripts and CI.</summary>
internal static class CertsJson
{
    public const string Schema = "wsskit.certs/1";

    public static void Write(Stream output, CertsReport report)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("schema", Schema);
        writer.WriteString("checkedAt", report.CheckedAt);
        writer.WriteNumber("durationMs", Math.Round(report.Took.TotalMilliseconds, 1));
        writer.WriteString("status", CertsFormat.Status(report.Status));
        writer.WriteStartObject("thresholds");
        writer.WriteNumber("warnFraction", Math.Round(report.Options.WarnFraction, 4));
        if (report.Options.WarnDays is { } days)
        {
            writer.WriteNumber("warnDays", days);
        }
        else
        {
            writer.WriteNull("warnDays");
        }
        writer.WriteEndObject();
        writer.WriteStartObject("summary");
        writer.WriteNumber("targets", report.Results.Count);
        foreach (var status in Enum.GetValues<CertStatus>())
        {
            writer.WriteNumber(CertsFormat.Status(status), report.Count(status));
        }
        writer.WriteEndObject();
        writer.WriteStartArray("targets");
        foreach (var result in report.Results)
        {
            WriteResult(writer, result, report.CheckedAt);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        output.Write("\n"u8);
        output.Flush();
    }

    private static void WriteResult(Utf8JsonWriter writer, CertResult result, DateTimeOffset now)
    {
        writer.WriteStartObject();
        writer.WriteString("target", result.Target.ToString());
        writer.WriteString("host", result.Target.Host);
        writer.WriteNumber("port", result.Target.Port);
        writer.WriteString("status", CertsFormat.Status(result.Status));
        writer.WriteNumber("durationMs", Math.Round(result.Took.TotalMilliseconds, 1));
        writer.WriteStartArray("problems");
        foreach (var problem in result.Problems)
        {
            writer.WriteStartObject();
            writer.WriteString("code", problem.Code);
            writer.WriteString("severity", CertsFormat.Status(problem.Severity));
            writer.WriteString("message", problem.Message);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        if (result.Leaf is not { } leaf)
        {
            writer.WriteNull("certificate");
            writer.WriteNull("earliest");
            writer.WriteNull("chain");
            WriteList(writer, "served", []);
            writer.WriteEndObject();
            return;
        }
        writer.WriteStartObject("certificate");
        WriteFacts(writer, leaf);
        writer.WriteStartArray("names");
        foreach (var name in result.Names)
        {
            writer.WriteStringValue(name);
        }
        writer.WriteEndArray();
        writer.WriteBoolean("nameMatches", result.NameMatches);
        writer.WriteNumber("daysLeft", Math.Round(result.DaysLeft ?? 0, 2));
        writer.WriteNumber("lifetimeLeft", Math.Round(result.LifetimeLeft ?? 0, 4));
        writer.WriteEndObject();
        writer.WriteStartObject("earliest");
        WriteExpiry(writer, result.Earliest!, now);
        writer.WriteEndObject();
        writer.WriteStartObject("chain");
        writer.WriteBoolean("trusted", result.ChainTrusted);
        WriteExpiry(writer, result.ChainEarliest!, now);
        WriteList(writer, "certificates", result.Chain);
        writer.WriteEndObject();
        WriteList(writer, "served", result.Served);
        writer.WriteEndObject();
    }

    /// <summary>When something expires and which certificate it is: the earliest served, or the first of the chain.</summary>
    private static void WriteExpiry(Utf8JsonWriter writer, CertificateFacts first, DateTimeOffset now)
    {
        writer.WriteString("notAfter", first.NotAfter);
        writer.WriteNumber("daysLeft", Math.Round((first.NotAfter - now).TotalDays, 2));
        writer.WriteString("subject", first.Subject);
    }

    private static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<CertificateFacts> certificates)
    {
        writer.WriteStartArray(name);
        foreach (var certificate in certificates)
        {
            writer.WriteStartObject();
            WriteFacts(writer, certificate);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static void WriteFacts(Utf8JsonWriter writer, CertificateFacts certificate)
    {
        writer.WriteString("subject", certificate.Subject);
        writer.WriteString("issuer", certificate.Issuer);
        writer.WriteString("notBefore", certificate.NotBefore);
        writer.WriteString("notAfter", certificate.NotAfter);
        writer.WriteString("serialNumber", certificate.SerialNumber);
        writer.WriteString("sha256", certificate.Sha256);
    }
}
