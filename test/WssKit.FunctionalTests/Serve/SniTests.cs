using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Serve;

/// <summary>Several host names with their own certificates from wss.json, chosen by SNI, and a default for the rest.</summary>
public sealed class SniTests
{
    [Fact]
    public async Task Sni_SitesInConfigFile_EachNameGetsItsCertificateAndOthersTheDefault()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var alpha = pki.Issue(["alpha.test"]);
        var beta = pki.Issue(["*.beta.test"], rsa: true);
        var fallback = pki.Issue(["localhost", "127.0.0.1"]);
        var (alphaCert, alphaKey) = alpha.WriteFiles(directory: temp.File("alpha"));
        beta.WriteFiles(directory: temp.File("beta"));
        var (defaultCert, defaultKey) = fallback.WriteFiles(directory: temp.File("default"));
        // Relative paths in the config file are relative to the file itself.
        await File.WriteAllTextAsync(temp.File("wss.json"), $$"""
            {
              // the default certificate serves unknown names and clients without SNI
              "cert": "default/fullchain.pem", "key": "default/privkey.pem",
              "sites": [
                { "hosts": ["alpha.test"], "cert": "{{alphaCert}}", "key": "{{alphaKey}}" },
                { "cert": "beta/fullchain.pem", "key": "beta/privkey.pem" },
              ],
            }
            """);
        await using var server = await CliServer.StartAsync(["--config", temp.File("wss.json")]);

        Assert.Equal(alpha.Serial, (await OpenSsl.ServedCertificateAsync(server.Port, "alpha.test")).SerialNumber);
        Assert.Equal(alpha.Serial, (await OpenSsl.ServedCertificateAsync(server.Port, "ALPHA.test")).SerialNumber);
        Assert.Equal(beta.Serial, (await OpenSsl.ServedCertificateAsync(server.Port, "www.beta.test")).SerialNumber);
        Assert.Equal(fallback.Serial, (await OpenSsl.ServedCertificateAsync(server.Port, "a.b.beta.test")).SerialNumber);
        Assert.Equal(fallback.Serial, (await OpenSsl.ServedCertificateAsync(server.Port, "unknown.test")).SerialNumber);
        Assert.Equal(fallback.Serial, (await OpenSsl.ServedCertificateAsync(server.Port, null)).SerialNumber);
        Assert.Contains("certificate for alpha.test", server.Output);
        Assert.Contains("certificate for *.beta.test", server.Output);

        // Each site is a real wss:// endpoint for its name.
        await using var node = PeerProcess.Node(server.Url(), "--ca", pki.RootPath, "--servername", "www.beta.test");
        await node.WaitForAsync("open");
        Assert.Equal("via beta", await node.EchoAsync("via beta"));
    }
}
