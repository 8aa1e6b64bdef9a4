using System.Security.Cryptography.X509Certificates;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>openssl s_client as the TLS peer: which certificate a server presents, and what it negotiates.</summary>
public static class OpenSsl
{
    /// <summary>The leaf certificate served to a client that sends <paramref name="serverName"/> as SNI (none when null).</summary>
    public static async Task<X509Certificate2> ServedCertificateAsync(int port, string? serverName)
    {
        var result = await SClientAsync(port, serverName, []);
        var start = result.Output.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
        var end = result.Output.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "openssl s_client got no certificate:\n" + result.All);
        return X509Certificate2.CreateFromPem(result.Output.AsSpan(start, end + "-----END CERTIFICATE-----".Length - start));
    }

    /// <summary>Runs s_client against 127.0.0.1:port and quits at once.</summary>
    public static Task<ToolResult> SClientAsync(int port, string? serverName, IEnumerable<string> extra)
        => Tool.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{port}", .. serverName is null ? new[] { "-noservername" } : ["-servername", serverName], .. extra],
            TimeSpan.FromSeconds(20), input: "Q\n");

    /// <summary>
    /// openssl s_server, a TLS server we did not write, serving exactly the given files (the whole chain in the
    /// certificate file) on a free port, answering HTTP with a status page.
    /// </summary>
    public static async Task<(PeerProcess Server, int Port)> ServerAsync(string cert, string key, params string[] extra)
    {
        var port = LoopbackPort.Free();
        var server = PeerProcess.Start("openssl", ["s_server", "-accept", $"127.0.0.1:{port}", "-cert", cert, "-cert_chain", cert, "-key", key, "-www", "-quiet", .. extra]);
        if (!await LoopbackPort.WaitForListenerAsync(port, () => server.HasExited))
        {
            var said = server.Transcript;
            await server.DisposeAsync();
            throw new InvalidOperationException($"openssl s_server did not start on {port}: {said}");
        }
        return (server, port);
    }
}
