using System.Runtime.InteropServices;

namespace WssKit.Protocol.Compression;

/// <summary>
/// The system's zlib (libz.so.1), for raw DEFLATE with the window size RFC 7692 negotiates; .NET's DeflateStream
/// always uses a 32 KiB window and cannot honour a peer's server_max_window_bits.
/// </summary>
internal static unsafe partial class Zlib
{
    public const int NoFlush = 0;
    public const int SyncFlush = 2;
    public const int Ok = 0;
    public const int StreamEnd = 1;
    public const int BufError = -5;
    public const int DefaultCompression = -1;
    public const int Deflated = 8;
    public const int DefaultStrategy = 0;

    private const string Library = "libz.so.1";

    /// <summary>zlib's z_stream on LP64 platforms (Linux, macOS): longs and pointers are 8 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ZStream
    {
        public byte* NextIn;
        public uint AvailIn;
        public nuint TotalIn;
        public byte* NextOut;
        public uint AvailOut;
        public nuint TotalOut;
        public nint Message;
        public nint State;
        public nint Alloc;
        public nint Free;
        public nint Opaque;
        public int DataType;
        public nuint Adler;
        public nuint Reserved;
    }

    private static readonly nint Version = zlibVersion();

    /// <summary>A z_stream in native memory: zlib keeps a pointer back to it, so it must never move.</summary>
    public static ZStream* Allocate() => (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));

    public static void Release(ZStream* stream) => NativeMemory.Free(stream);

    public static int DeflateInit(ZStream* stream, int windowBits)
        => deflateInit2_(stream, DefaultCompression, Deflated, -windowBits, 8, DefaultStrategy, Version, sizeof(ZStream));

    public static int InflateInit(ZStream* stream, int windowBits) => inflateInit2_(stream, -windowBits, Version, sizeof(ZStream));

    [LibraryImport(Library)]
    private static partial nint zlibVersion();

    [LibraryImport(Library)]
    private static partial int deflateInit2_(ZStream* stream, int level, int method, int windowBits, int memLevel, int strategy, nint version, int streamSize);

    [LibraryImport(Library, EntryPoint = "deflate")]
    public static partial int Deflate(ZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "deflateReset")]
    public static partial int DeflateReset(ZStream* stream);

    [LibraryImport(Library, EntryPoint = "deflateEnd")]
    public static partial int DeflateEnd(ZStream* stream);

    [LibraryImport(Library)]
    private static partial int inflateInit2_(ZStream* stream, int windowBits, nint version, int streamSize);

    [LibraryImport(Library, EntryPoint = "inflate")]
    public static partial int Inflate(ZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "inflateReset")]
    public static partial int InflateReset(ZStream* stream);

    [LibraryImport(Library, EntryPoint = "inflateEnd")]
    public static partial int InflateEnd(ZStream* stream);
}
