using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using WssKit.Certificates;
using WssKit.Certificates.DevCa;
using WssKit.Server.Configuration;

namespace WssKit.Cli.Cert;

/// <summary>wss cert: the development CA (show, export) and the system trust store.</summary>
internal static class CertCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("cert", "Manage the development CA that issues wss serve's certificate when none is given.");
        command.Add(CreateCa(console));
        command.Add(CreateTrust(console));
        return command;
    }

    private static Option<string> DataDirOption() => new("--data-dir")
    {
        Description = $"directory of the development CA [default: {WssServerOptions.DefaultDataDirectory()}] [env: WSS_DATA_DIR]",
        HelpName = "PATH",
    };

    private static string DataDirectory(CliConsole console, string? flag)
        => Path.GetFullPath(flag ?? console.Environment("WSS_DATA_DIR") ?? WssServerOptions.DefaultDataDirectory(), console.WorkingDirectory);

    private static Command CreateCa(CliConsole console)
    {
        var command = new Command("ca", "Show the development CA (created on first use), or write its certificate for clients to trust.");
        var export = new Option<string>("--export") { Description = "write the CA certificate (PEM) to this file; '-' for standard output", HelpName = "FILE" };
        var dataDir = DataDirOption();
        command.Add(export);
        command.Add(dataDir);
        command.SetAction(parsed =>
        {
            DevelopmentAuthority authority;
            try
            {
                authority = DevelopmentAuthority.LoadOrCreate(DataDirectory(console, parsed.GetValue(dataDir)));
            }
            catch (CertificateException e)
            {
                console.Fail(e.Message);
                return (int)ExitCode.Failure;
            }
            var target = parsed.GetValue(export);
            if (target == "-")
            {
                console.Out.Profile.Out.Writer.Write(authority.ExportPem());
                return (int)ExitCode.Success;
            }
            if (target is not null)
            {
                var path = Path.GetFullPath(target, console.WorkingDirectory);
                try
                {
                    File.WriteAllText(path, authority.ExportPem());
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    console.Fail($"cannot write {path}: {e.Message.TrimEnd('.')}");
                    return (int)ExitCode.Failure;
                }
                console.Out.MarkupLineInterpolated($"wrote the development CA certificate to {path}");
                console.Out.MarkupLineInterpolated($"  Node.js  NODE_EXTRA_CA_CERTS={path}    Python  SSL_CERT_FILE={path}    curl  --cacert {path}");
                return (int)ExitCode.Success;
            }
            Show(console.Out, authority);
            return (int)ExitCode.Success;
        });
        return command;
    }

    private static void Show(IAnsiConsole console, DevelopmentAuthority authority)
    {
        var certificate = authority.Certificate;
        console.MarkupLineInterpolated($"[bold]development CA[/]{(authority.Created ? " (created now)" : "")}");
        console.MarkupLineInterpolated($"  file        {authority.CertificatePath}");
        console.MarkupLineInterpolated($"  subject     {certificate.Subject}");
        console.MarkupLineInterpolated($"  may issue   {string.Join(", ", authority.PermittedNames)} and loopback addresses only (name constraints)");
        console.MarkupLineInterpolated($"  SHA-256     {Convert.ToHexString(certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256))}");
        console.MarkupLineInterpolated($"  expires     {certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
        console.MarkupLine("  trust it    [blue]sudo wss cert trust[/], or [blue]wss cert ca --export FILE[/] for one client");
    }

    private static Command CreateTrust(CliConsole console)
    {
        var command = new Command("trust", "Add the development CA to this system's trust store (needs root), or remove it with --remove.");
        var remove = new Option<bool>("--remove") { Description = "remove the development CA from the system trust store" };
        var dataDir = DataDirOption();
        command.Add(remove);
        command.Add(dataDir);
        command.SetAction(parsed =>
        {
            var store = SystemTrustStore.Detect();
            if (store is null)
            {
                console.Fail("this system has no trust store wss knows how to change (Debian/Ubuntu update-ca-certificates, Fedora/RHEL update-ca-trust): export the CA with `wss cert ca --export ca.pem` and add it by hand");
                return (int)ExitCode.Failure;
            }
            TrustOutcome outcome;
            try
            {
                outcome = parsed.GetValue(remove)
                    ? store.Remove()
                    : store.Add(DevelopmentAuthority.LoadOrCreate(DataDirectory(console, parsed.GetValue(dataDir))));
            }
            catch (CertificateException e)
            {
                console.Fail(e.Message);
                return (int)ExitCode.Failure;
            }
            foreach (var step in outcome.Steps)
            {
                console.Out.MarkupLineInterpolated($"  {step}");
            }
            if (!outcome.Succeeded)
            {
                console.Fail(outcome.Error!);
                return (int)ExitCode.Failure;
            }
            console.Out.MarkupLine(parsed.GetValue(remove)
                ? "The development CA is no longer trusted by this system."
                : "The development CA is trusted by programs that use the system store (curl, Python, Go, .NET). Node.js needs NODE_EXTRA_CA_CERTS (or NODE_USE_SYSTEM_CA=1 on Node 23+); Firefox and Chromium keep their own stores.");
            return (int)ExitCode.Success;
        });
        return command;
    }
}
