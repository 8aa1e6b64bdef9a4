using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// An HTTP CONNECT proxy that inspects TLS, as corporate proxies do: it opens the tunnel, then answers the client's
/// TLS handshake with a certificate of its own and speaks TLS to the real server itself. A fault of the tests' own.
/// </summary>
public sealed class InterceptingProxy : LoopbackListener
{
    private readonly X509Certificate2 _certificate;

    public InterceptingProxy(X509Certificate2 certificate)
    {
        _certificate = certificate;
        Start();
    }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    protected override async Task ServeAsync(Socket client)
    {
        using var _ = client;
        try
        {
            var plain = new NetworkStream(client);
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await plain.ReadAsync(one, Stopping) == 1)
            {
                head.Append((char)one[0]);
            }
            var target = head.ToString().Split(' ')[1];
            var colon = target.LastIndexOf(':');
            using var upstream = new TcpClient();
            await upstream.ConnectAsync(target[..colon], int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), Stopping);
            await plain.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), Stopping);
            await using var towardsClient = new SslStream(plain);
            await towardsClient.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, Stopping);
            await using var towardsServer = new SslStream(upstream.GetStream(), false, (_, _, _, _) => true);
            await towardsServer.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = target[..colon] }, Stopping);
            await Task.WhenAny(towardsClient.CopyToAsync(towardsServer, Stopping), towardsServer.CopyToAsync(towardsClient, Stopping));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // A side hung up, or the test is over.
        }
    }
}
