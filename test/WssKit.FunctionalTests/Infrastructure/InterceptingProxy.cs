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
public sealed class InterceptingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly X509Certificate2 _certificate;
    private readonly Task _accepting;

    public InterceptingProxy(X509Certificate2 certificate)
    {
        _certificate = certificate;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            _ = InterceptAsync(client);
        }
    }

    private async Task InterceptAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var plain = client.GetStream();
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await plain.ReadAsync(one, _stopping.Token) == 1)
            {
                head.Append((char)one[0]);
            }
            var target = head.ToString().Split(' ')[1];
            var colon = target.LastIndexOf(':');
            using var upstream = new TcpClient();
            await upstream.ConnectAsync(target[..colon], int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), _stopping.Token);
            await plain.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), _stopping.Token);
            await using var towardsClient = new SslStream(plain);
            await towardsClient.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stopping.Token);
            await using var towardsServer = new SslStream(upstream.GetStream(), false, (_, _, _, _) => true);
            await towardsServer.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = target[..colon] }, _stopping.Token);
            await Task.WhenAny(towardsClient.CopyToAsync(towardsServer, _stopping.Token), towardsServer.CopyToAsync(towardsClient, _stopping.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // A side hung up, or the test is over.
        }
    }
}
