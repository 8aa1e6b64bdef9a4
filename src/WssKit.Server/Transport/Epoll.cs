using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WssKit.Server.Transport;

/// <summary>Linux's epoll, for <see cref="SocketEventLoop"/>.</summary>
internal static unsafe partial class Epoll
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Error = 0x008;
    public const uint HangUp = 0x010;
    public const uint ReadHangUp = 0x2000;
    public const uint EdgeTriggered = 1u << 31;
    public const int Add = 1;
    public const int Delete = 2;
    public const int CloseOnExec = 0x80000;

    // struct epoll_event is packed on x86 (12 bytes, the data at 4) and naturally aligned elsewhere (16, at 8).
    private static readonly bool Packed = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;
    public static readonly int EventSize = Packed ? 12 : 16;
    private static readonly int DataOffset = Packed ? 4 : 8;

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int Create(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int Control(int epoll, int operation, int descriptor, byte* change);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int Wait(int epoll, byte* events, int capacity, int timeoutMilliseconds);

    /// <summary>Adds or removes a descriptor; 0, or the error number.</summary>
    public static int Change(int epoll, int operation, int descriptor, uint events, ulong data)
    {
        var change = stackalloc byte[16];
        *(uint*)change = events;
        Unsafe.WriteUnaligned(change + DataOffset, data);
        return Control(epoll, operation, descriptor, change) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public static uint EventsAt(byte* events, int index) => *(uint*)(events + index * EventSize);

    public static ulong DataAt(byte* events, int index) => Unsafe.ReadUnaligned<ulong>(events + index * EventSize + DataOffset);
}
