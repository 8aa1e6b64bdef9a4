using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace WssKit.Server.Transport;

/// <summary>
/// Socket readiness from epoll, edge-triggered, on threads of our own: one per processor the process may use, each
/// with a share of the sockets. What waits for a socket (<see cref="ReadinessSignal"/>) runs on that thread when it
/// is woken, so one pass of a connection (read, decrypt, the engine, encrypt, send) costs no thread switch, and a
/// socket is registered once, not re-armed per receive as .NET's receives do.
/// </summary>
internal sealed unsafe class SocketEventLoop
{
    private const int Capacity = 256;

    private static readonly Lazy<SocketEventLoop[]> Loops = new(Start);
    private static int s_next;

    private readonly int _epoll;
    private readonly Lock _lock = new();
    private SocketReadiness?[] _slots = new SocketReadiness?[64];
    private readonly Stack<int> _free = new();
    private int _used;
    private uint _generation;

    private SocketEventLoop(int epoll) => _epoll = epoll;

    /// <summary>Whether this system has epoll (Linux; the native TLS layer, its main user, runs only there).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Watches the socket from now on, on one of the loops; events that arrived before come at once.</summary>
    public static SocketReadiness Register(Socket socket)
    {
        var loops = Loops.Value;
        return loops[(uint)Interlocked.Increment(ref s_next) % (uint)loops.Length].Add(socket);
    }

    private static SocketEventLoop[] Start()
    {
        var loops = new SocketEventLoop[Math.Max(1, Environment.ProcessorCount)];
        for (var i = 0; i < loops.Length; i++)
        {
            var epoll = Epoll.Create(Epoll.CloseOnExec);
            if (epoll < 0)
            {
                throw new InvalidOperationException($"epoll_create1 failed (error {Marshal.GetLastPInvokeError()}): the system's limit of open files may be reached");
            }
            loops[i] = new SocketEventLoop(epoll);
            new Thread(loops[i].Run) { IsBackground = true, Name = $"wss sockets {i}" }.Start();
        }
        return loops;
    }

    private SocketReadiness Add(Socket socket)
    {
        SocketReadiness readiness;
        lock (_lock)
        {
            var slot = _free.Count > 0 ? _free.Pop() : _used++;
            if (slot == _slots.Length)
            {
                var grown = new SocketReadiness?[_slots.Length * 2];
                _slots.CopyTo(grown, 0);
                Volatile.Write(ref _slots, grown);
            }
            readiness = new SocketReadiness(this, socket, slot, ++_generation);
            _slots[slot] = readiness;
        }
        var data = (ulong)readiness.Generation << 32 | (uint)readiness.Slot;
        var error = Epoll.Change(_epoll, Epoll.Add, (int)socket.SafeHandle.DangerousGetHandle(),
            Epoll.In | Epoll.Out | Epoll.ReadHangUp | Epoll.EdgeTriggered, data);
        if (error != 0)
        {
            Release(readiness);
            throw new SocketException(error);
        }
        return readiness;
    }

    internal void Remove(SocketReadiness readiness, bool socketClosesNext)
    {
        // A socket that stays open is taken out of epoll; one closed next leaves it with its last descriptor (nothing
        // else holds one: no fork, no dup). Either way the slot is let go before the descriptor is closed, whose
        // number may be reused at once: an event already taken by the loop for this registration finds another
        // generation in the slot, and is dropped.
        if (!socketClosesNext)
        {
            Epoll.Change(_epoll, Epoll.Delete, (int)readiness.Socket.SafeHandle.DangerousGetHandle(), 0, 0);
        }
        Release(readiness);
    }

    private void Release(SocketReadiness readiness)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_slots[readiness.Slot], readiness))
            {
                _slots[readiness.Slot] = null;
                _free.Push(readiness.Slot);
            }
        }
    }

    private void Run()
    {
        var events = (byte*)NativeMemory.Alloc((nuint)(Capacity * Epoll.EventSize));
        while (true)
        {
            var count = Epoll.Wait(_epoll, events, Capacity, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() == Libc.Interrupted)
                {
                    continue;
                }
                // Cannot happen with a valid descriptor and buffer; a loop that spun on it would take a core.
                Environment.FailFast($"epoll_wait failed: error {Marshal.GetLastPInvokeError()}");
            }
            var slots = Volatile.Read(ref _slots);
            for (var i = 0; i < count; i++)
            {
                var data = Epoll.DataAt(events, i);
                var slot = (int)(uint)data;
                if (slot < slots.Length && Volatile.Read(ref slots[slot]) is { } readiness && readiness.Generation == (uint)(data >> 32))
                {
                    try
                    {
                        readiness.OnEvents(Epoll.EventsAt(events, i));
                    }
                    catch (Exception)
                    {
                        // A continuation's failure belongs to its own task; the loop serves the other sockets.
                    }
                }
            }
        }
    }
}
