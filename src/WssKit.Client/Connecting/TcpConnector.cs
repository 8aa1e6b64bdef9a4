using System.Net;
using System.Net.Sockets;

namespace WssKit.Client.Connecting;

/// <summary>DNS, then TCP to each address in turn, each failure named for what it was.</summary>
internal static class TcpConnector
{
    public static async Task<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            }
            catch (SocketException e)
            {
                throw new WssConnectException(ConnectStage.Dns, $"{host} does not resolve ({e.SocketErrorCode}): check the name, or the DNS of this machine", e);
            }
            if (addresses.Length == 0)
            {
                throw new WssConnectException(ConnectStage.Dns, $"{host} has no address records");
            }
        }
        var failures = new List<string>();
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                failures.Add(e.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => $"{Describe(address, port)} refused the connection (nothing listens there)",
                    SocketError.TimedOut => $"{Describe(address, port)} did not answer (a firewall may drop the packets)",
                    SocketError.NetworkUnreachable or SocketError.HostUnreachable => $"{Describe(address, port)} is unreachable from here",
                    _ => $"{Describe(address, port)}: {e.SocketErrorCode}",
                });
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                throw;
            }
        }
        throw new WssConnectException(ConnectStage.Tcp, string.Join("; ", failures));
    }

    private static string Describe(IPAddress address, int port)
        => address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
}
