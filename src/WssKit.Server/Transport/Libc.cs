using System.Runtime.InteropServices;

namespace WssKit.Server.Transport;

/// <summary>
/// The C library's send (of one buffer, or two in one call) and receive, without waiting, for TLS records going
/// between a socket and OpenSSL's buffers; and the error number of a call interrupted by a signal, which every call
/// here and the event loop's wait retry on.
/// </summary>
internal static unsafe partial class Libc
{
    private const int DontWait = 0x40;
    private const int NoSignal = 0x4000;
    private const int More = 0x8000;
    private const int Again = 11;
    public const int Interrupted = 4; // EINTR

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMessage(int socket, MessageHeader* message, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    // struct msghdr: no address, no control data.
    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Receive(int socket, byte* buffer, nuint length, int flags);

    /// <summary>What <see cref="ReceiveNow"/> returns when nothing has arrived.</summary>
    public const int NothingYet = -2;

    /// <summary>Reads what has arrived without waiting: the count, 0 at the end of the stream, <see cref="NothingYet"/>, or -1 on an error.</summary>
    public static int ReceiveNow(int socket, byte* buffer, int length)
    {
        while (true)
        {
            var received = Receive(socket, buffer, (nuint)length, DontWait);
            if (received >= 0)
            {
                return (int)received;
            }
            var error = Marshal.GetLastPInvokeError();
            if (error != Interrupted)
            {
                return error == Again ? NothingYet : -1;
            }
        }
    }

    /// <summary>
    /// Sends what the socket takes now without waiting: the count sent (0 when its buffer is full), or -1 on an error
    /// such as a reset. With <paramref name="more"/>, the kernel holds the bytes for the send that follows, so that
    /// both leave in the same segments.
    /// </summary>
    public static int SendNow(int socket, byte* data, int length, bool more = false)
        => SendNow(socket, new ReadOnlySpan<byte>(data, length), default, more);

    /// <summary>
    /// <see cref="SendNow(int, byte*, int, bool)"/> of <paramref name="first"/> and then <paramref name="second"/> in
    /// one call, gathered by the kernel rather than copied together first: the count sent from both, in that order.
    /// </summary>
    public static int SendNow(int socket, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, bool more = false)
    {
        if (first.IsEmpty)
        {
            first = second; // one piece, not an empty one and then the bytes
            second = default;
        }
        fixed (byte* one = first)
        fixed (byte* two = second)
        {
            var vectors = stackalloc IoVector[2];
            vectors[0] = new IoVector { Base = one, Length = (nuint)first.Length };
            vectors[1] = new IoVector { Base = two, Length = (nuint)second.Length };
            var message = new MessageHeader { Vectors = vectors, VectorCount = second.IsEmpty ? 1u : 2u };
            while (true)
            {
                var sent = SendMessage(socket, &message, DontWait | NoSignal | (more ? More : 0));
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
}
