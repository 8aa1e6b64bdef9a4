using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace WssKit.Diagnostics.Probes;

/// <summary>
/// Whether the server still accepts TLS 1.0 or 1.1. This machine's OpenSSL refuses to speak them, so the probe sends a
/// ClientHello of its own and reads the first record of the answer: a ServerHello at that version means accepted.
/// </summary>
internal static class LegacyTlsProbe
{
    public static async Task<bool> AcceptsAsync(CheckContext check, ushort version, CancellationToken cancellationToken)
    {
        using var socket = await ProbeConnection.ConnectAsync(check, cancellationToken);
        await socket.SendAsync(ClientHello(version, IPAddress.TryParse(check.Host, out _) ? null : check.Host), cancellationToken);
        var head = new byte[11];
        var length = 0;
        while (length < head.Length)
        {
            var read = await socket.ReceiveAsync(head.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }
            length += read;
        }
        // Record: type 22 (handshake), version, length; then handshake type 2 (ServerHello), length, server_version.
        return length == head.Length && head[0] == 22 && head[5] == 2 && BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(9)) == version;
    }

    internal static byte[] ClientHello(ushort version, string? serverName)
    {
        var body = new List<byte>();
        body.AddRange([(byte)(version >> 8), (byte)version]);
        body.AddRange(RandomNumberGenerator.GetBytes(32));
        body.Add(0); // no session id
        // The suites such servers take: ECDHE and RSA key exchange with AES-CBC and 3DES.
        ushort[] suites = [0xc013, 0xc014, 0xc009, 0xc00a, 0x002f, 0x0035, 0x000a];
        AddUInt16(body, suites.Length * 2);
        foreach (var suite in suites)
        {
            AddUInt16(body, suite);
        }
        body.AddRange([1, 0]); // compression: null only
        var extensions = new List<byte>();
        if (serverName is not null)
        {
            var name = Encoding.ASCII.GetBytes(serverName);
            AddUInt16(extensions, 0x0000);
            AddUInt16(extensions, name.Length + 5);
            AddUInt16(extensions, name.Length + 3);
            extensions.Add(0);
            AddUInt16(extensions, name.Length);
            extensions.AddRange(name);
        }
        extensions.AddRange([0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x17, 0x00, 0x18]); // supported groups: P-256, P-384
        extensions.AddRange([0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]); // EC point formats: uncompressed
        AddUInt16(body, extensions.Count);
        body.AddRange(extensions);

        var hello = new List<byte> { 22, 0x03, 0x01 };
        AddUInt16(hello, body.Count + 4);
        hello.Add(1); // ClientHello
        hello.AddRange([(byte)(body.Count >> 16), (byte)(body.Count >> 8), (byte)body.Count]);
        hello.AddRange(body);
        return [.. hello];
    }

    private static void AddUInt16(List<byte> bytes, int value) => bytes.AddRange([(byte)(value >> 8), (byte)value]);
}
