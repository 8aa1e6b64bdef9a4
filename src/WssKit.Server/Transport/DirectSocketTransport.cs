using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace WssKit.Server.Transport;

/// <summary>
/// Kestrel's transport for every port of <c>wss serve</c>: accepts sockets and hands each to Kestrel as a
/// <see cref="DirectSocketConnection"/>, which the native TLS layer runs on the socket itself, while everything else
/// (plain HTTP, SslStream) gets Kestrel's own socket connection and its pipes.
/// </summary>
internal sealed class DirectSocketTransport(ILoggerFactory loggers) : IConnectionListenerFactory, IConnectionListenerFactorySelector, IDisposable
{
    // Kestrel's defaults, as UseSockets had them (a backlog of 512, Nagle off), and frame handling on the socket's thread.
    private const int Backlog = 512;

    private readonly SocketConnectionContextFactory _pipes = new(
        new SocketConnectionFactoryOptions { UnsafePreferInlineScheduling = true },
        loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        Socket socket;
        try
        {
            socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            // The exception Kestrel's own transport throws, which its address binding and BindErrors expect.
            throw new AddressInUseException(e.Message, e);
        }
        socket.Listen(Backlog);
        return ValueTask.FromResult<IConnectionListener>(new Listener(socket, _pipes));
    }

    public void Dispose() => _pipes.Dispose();

    private sealed class Listener(Socket socket, SocketConnectionContextFactory pipes) : IConnectionListener
    {
        public EndPoint EndPoint { get; } = socket.LocalEndPoint!;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                try
                {
                    var accepted = await socket.AcceptAsync(cancellationToken);
                    accepted.NoDelay = true;
                    return new DirectSocketConnection(accepted, pipes);
                }
                catch (ObjectDisposedException)
                {
                    return null; // unbound
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
                {
                    return null;
                }
                catch (SocketException)
                {
                    // A client that reset before it was accepted: the next one.
                }
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
