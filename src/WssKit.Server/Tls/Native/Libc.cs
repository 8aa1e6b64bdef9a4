using System.Runtime.InteropServices;

namespace WssKit.Server.Tls.Native;

/// <summary>The C library's send, for TLS records written to a socket straight from OpenSSL's buffer.</summary>
internal static unsafe partial class Libc
{
    private const int DontWait = 0x40;
    private const int NoSignal = 0x4000;
    private const int More = 0x8000;
    private const int Again = 11;
    private const int Interrupted = 4;

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint Send(int socket, byte* data, nuint length, int flags);

    /// <summary>
    /// Sends what the socket takes now without waiting: the count sent (0 when its buffer is full), or -1 on an error
    /// such as a reset. With <paramref name="more"/>, the kernel holds the bytes for the send that follows, so that
    /// both leave in the same segments.
    /// </summary>
    public static int SendNow(int socket, byte* data, int length, bool more = false)
    {
        while (true)
        {
            var sent = Send(socket, data, (nuint)length, DontWait | NoSignal | (more ? More : 0));
            if (sent >= 0)
            {
                return (int)sent;
            }
            var error = Marshal.GetLastPInvokeError();
            if (error != Interrupted)
            {
                return error == Again ? 0 : -1;
            }
        }
    }
}
