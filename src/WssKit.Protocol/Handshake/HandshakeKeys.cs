using System.Security.Cryptography;
using System.Text;

namespace WssKit.Protocol.Handshake;

/// <summary>The key arithmetic of the opening handshake (RFC 6455 §4.2.2 and §4.1).</summary>
public static class HandshakeKeys
{
    private const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Whether a Sec-WebSocket-Key is the base64 of 16 bytes, as RFC 6455 §4.2.1 requires.</summary>
    public static bool IsValidKey(string? key)
    {
        if (key is not { Length: 24 })
        {
            return false;
        }
        Span<byte> decoded = stackalloc byte[18];
        return Convert.TryFromBase64String(key, decoded, out var written) && written == 16;
    }

    /// <summary>The Sec-WebSocket-Accept value for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)).</summary>
    public static string AcceptFor(string key)
    {
        Span<byte> input = stackalloc byte[key.Length + Guid.Length];
        var written = Encoding.ASCII.GetBytes(key, input);
        written += Encoding.ASCII.GetBytes(Guid, input[written..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input[..written], hash);
        return Convert.ToBase64String(hash);
    }

    /// <summary>A fresh Sec-WebSocket-Key for a client: 16 random bytes in base64.</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
}
