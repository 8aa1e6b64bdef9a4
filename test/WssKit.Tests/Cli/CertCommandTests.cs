using System.Security.Cryptography.X509Certificates;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Cli;

public sealed class CertCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly CliHarness _cli;

    public CertCommandTests() => _cli = new CliHarness(_temp.Path);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task CaExport_ToFile_WritesTheCaCertificateInPem()
    {
        var dataDirectory = _temp.File("data");

        var exitCode = await _cli.RunAsync("cert", "ca", "--export", "ca.pem", "--data-dir", dataDirectory);

        Assert.Equal(0, exitCode);
        Assert.Empty(_cli.Error.Output);
        var exported = File.ReadAllText(_temp.File("ca.pem"));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", exported);
        Assert.Equal(File.ReadAllText(Path.Combine(dataDirectory, "dev-ca.pem")), exported);
        var certificate = X509CertificateLoader.LoadCertificate(System.Text.Encoding.ASCII.GetBytes(exported));
        Assert.False(certificate.HasPrivateKey);
        Assert.True(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal($"wrote the development CA certificate to {_temp.File("ca.pem")}", _cli.OutLines[0]);
        Assert.DoesNotContain("PRIVATE KEY", exported);
    }

    [Fact]
    public async Task CaExport_DataDirFromEnvironment_UsesIt()
    {
        _cli.Environment["WSS_DATA_DIR"] = "state";

        var exitCode = await _cli.RunAsync("cert", "ca", "--export", "-");

        Assert.Equal(0, exitCode);
        Assert.Equal(File.ReadAllText(_temp.File("state/dev-ca.pem")), _cli.Out.Output);
    }

    [Fact]
    public async Task Ca_NoExport_ShowsTheCaAndThatItWasCreated()
    {
        var dataDirectory = _temp.File("data");

        var exitCode = await _cli.RunAsync("cert", "ca", "--data-dir", dataDirectory);

        Assert.Equal(0, exitCode);
        Assert.Equal("development CA (created now)", _cli.OutLines[0]);
        Assert.Contains(_cli.OutLines, line => line == $"  file        {Path.Combine(dataDirectory, "dev-ca.pem")}");
        Assert.Contains(_cli.OutLines, line => line.StartsWith("  may issue   localhost", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ca_UnwritableDataDir_ExitsOneNamingTheSetting()
    {
        var blocker = _temp.Write("blocker", "a file, not a directory");

        var exitCode = await _cli.RunAsync("cert", "ca", "--data-dir", Path.Combine(blocker, "data"));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(_cli.ErrorLines);
        Assert.StartsWith($"wss: cannot create the data directory {Path.Combine(blocker, "data")}", line);
        Assert.EndsWith("(set --data-dir or WSS_DATA_DIR to a writable directory)", line);
    }
}
