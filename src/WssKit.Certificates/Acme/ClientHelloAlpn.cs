using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace WssKit.Certificates.Acme;

/// <summary>
/// Reads the ALPN protocols a TLS ClientHello offers, from the bytes before the handshake: the certificate is chosen
/// before ALPN is negotiated, and an acme-tls/1 validation must get the validation certificate.
/// </summary>
public static class ClientHelloAlpn
{
    /// <summary>Whether the ClientHello at the start of <paramref name="data"/> offers <paramref name="protocol"/>; false when it cannot tell.</summary>
    public static bool Offers(ReadOnlySequence<byte> data, string protocol)
    {
        var length = (int)Math.Min(data.Length, 16 * 1024);
        var bytes = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            data.Slice(0, length).CopyTo(bytes);
            return Offers(bytes.AsSpan(0, length), Encoding.ASCII.GetBytes(protocol));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static bool Offers(ReadOnlySpan<byte> hello, ReadOnlySpan<byte> protocol)
    {
        // Record header (5), handshake type 1 and length (4), version (2), random (32).
        var at = 5 + 4 + 2 + 32;
        if (hello.Length < at + 1 || hello[0] != 0x16 || hello[5] != 1)
        {
            return false;
        }
        at += 1 + hello[at]; // session id
        if (!Skip16(hello, ref at) || at >= hello.Length) // cipher suites
        {
            return false;
        }
        at += 1 + hello[at]; // compression methods
        if (at + 2 > hello.Length)
        {
            return false;
        }
        var end = Math.Min(hello.Length, at + 2 + BinaryPrimitives.ReadUInt16BigEndian(hello[at..]));
        at += 2;
        while (at + 4 <= end)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(hello[at..]);
            var size = BinaryPrimitives.ReadUInt16BigEndian(hello[(at + 2)..]);
            at += 4;
            if (type == 0x0010 && at + 2 <= end)
            {
                var list = hello.Slice(at + 2, Math.Min(size - 2, end - at - 2));
                while (list.Length > 0 && list[0] + 1 <= list.Length)
                {
                    if (list.Slice(1, list[0]).SequenceEqual(protocol))
                    {
                        return true;
                    }
                    list = list[(1 + list[0])..];
                }
                return false;
            }
            at += size;
        }
        return false;
    }

    private static bool Skip16(ReadOnlySpan<byte> data, ref int at)
    {
        if (at + 2 > data.Length)
        {
            return false;
        }
        at += 2 + BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
        return true;
    }
}
