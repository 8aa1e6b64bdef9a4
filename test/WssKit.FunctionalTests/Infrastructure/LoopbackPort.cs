using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>Loopback ports for tools that need a port number in their configuration (nginx, tinyproxy).</summary>
public static class LoopbackPort
{
    /// <summary>A port that nothing listens on right now (the kernel's pick, released at once).</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>
    /// A loopback port that refuses connections for as long as the returned socket is held: bound, never listening.
    /// Unlike a port from <see cref="Free"/>, no other server (another test's, on a port the kernel picks) can take
    /// it meanwhile.
    /// </summary>
    public static Socket Refusing(out int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return socket;
    }

    /// <summary>Waits until <paramref name="process"/> accepts connections on the port; false if it exits or 10 s pass.</summary>
    public static Task<bool> WaitForListenerAsync(int port, Process process) => WaitForListenerAsync(port, () => process.HasExited);

    /// <summary>Waits until something accepts connections on the port; false if <paramref name="exited"/> says the server is gone, or 10 s pass.</summary>
    public static async Task<bool> WaitForListenerAsync(int port, Func<bool> exited)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!exited() && DateTime.UtcNow < deadline)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        return false;
    }
}
