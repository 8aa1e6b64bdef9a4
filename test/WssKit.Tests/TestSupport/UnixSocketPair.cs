using System.Net.Sockets;

namespace WssKit.Tests.TestSupport;

/// <summary>Two connected Unix-domain stream sockets, as a server's accepted socket and its peer: real sockets, no network.</summary>
public sealed class UnixSocketPair : IDisposable
{
    private readonly TempDirectory _temp = new();

    public UnixSocketPair()
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var endpoint = new UnixDomainSocketEndPoint(_temp.File("pair.sock"));
        listener.Bind(endpoint);
        listener.Listen(1);
        Peer = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Peer.Connect(endpoint);
        Accepted = listener.Accept();
    }

    /// <summary>The server's side, as a listener accepted it.</summary>
    public Socket Accepted { get; }

    /// <summary>The client's side.</summary>
    public Socket Peer { get; }

    public void Dispose()
    {
        Accepted.Dispose();
        Peer.Dispose();
        _temp.Dispose();
    }
}
