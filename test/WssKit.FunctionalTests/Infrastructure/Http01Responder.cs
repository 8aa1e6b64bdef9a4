using System.Net.Sockets;
using System.Text;
using WssKit.Certificates.Acme;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>A plain HTTP port answering HTTP-01 challenges from <see cref="Http01Challenges"/> (what wss serve's HTTP port will do).</summary>
public sealed class Http01Responder : LoopbackListener
{
    private readonly Http01Challenges _challenges;

    public Http01Responder(Http01Challenges challenges)
    {
        _challenges = challenges;
        Start();
    }

    protected override async Task ServeAsync(Socket client)
    {
        using var _ = client;
        try
        {
            var buffer = new byte[4096];
            var length = 0;
            while (length < buffer.Length && !Encoding.ASCII.GetString(buffer, 0, length).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await client.ReceiveAsync(buffer.AsMemory(length), Stopping);
                if (read == 0)
                {
                    return;
                }
                length += read;
            }
            var path = Encoding.ASCII.GetString(buffer, 0, length).Split(' ')[1];
            var answer = _challenges.TryAnswer(path, out var keyAuthorization)
                ? $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {keyAuthorization.Length}\r\nConnection: close\r\n\r\n{keyAuthorization}"
                : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            await client.SendAsync(Encoding.ASCII.GetBytes(answer), Stopping);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IndexOutOfRangeException)
        {
            // A probe or a malformed request: nothing to answer.
        }
    }
}
