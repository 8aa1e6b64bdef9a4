using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace WssKit.Diagnostics.Probes;

/// <summary>
/// What a server agrees to when offered what this machine's TLS library will not offer (TLS 1.0/1.1, CBC, RSA key
/// exchange, 3DES, RC4): a ClientHello of the check's own, and the first record of the answer. A ServerHello at the
/// offered version names the suite the server chose; an alert or a hang-up is a refusal.
/// </summary>
internal static class RawClientHello
{
    /// <summary>Suites of the TLS 1.0/1.1 era: ECDHE and RSA key exchange with AES-CBC and 3DES.</summary>
    public static readonly ushort[] LegacySuites = [0xc013, 0xc014, 0xc009, 0xc00a, 0x002f, 0x0035, 0x000a];

    /// <summary>Suites without forward secrecy, or with broken ciphers: RSA key exchange, 3DES, RC4.</summary>
    public static readonly ushort[] WeakSuites = [0x002f, 0x0035, 0x009c, 0x009d, 0x003c, 0x003d, 0x000a, 0xc012, 0x0005, 0x0004];

    /// <summary>The suite the server chose at <paramref name="version"/>, or null when it refused.</summary>
    public static async Task<ushort?> AgreedSuiteAsync(CheckContext check, ushort version, ushort[] suites, CancellationToken cancellationToken)
    {
        using var socket = await ProbeConnection.ConnectAsync(check, cancellationToken);
        await socket.SendAsync(ClientHello(version, suites, IPAddress.TryParse(check.Host, out _) ? null : check.Host), cancellationToken);
        // Record header (5), handshake header (4), version (2), random (32), session id (1 + up to 32), suite (2).
        var head = new byte[78];
        var length = 0;
        while (length < 44 || (head[0] == 22 && length < 44 + head[43] + 2 && length < head.Length))
        {
            var read = await socket.ReceiveAsync(head.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }
            length += read;
        }
        if (length < 44 || head[0] != 22 || head[5] != 2 || BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(9)) != version)
        {
            return null;
        }
        var suiteAt = 44 + head[43];
        return length >= suiteAt + 2 ? BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(suiteAt)) : null;
    }

    /// <summary>The IANA name of a suite the probes offer.</summary>
    public static string Name(ushort suite) => Enum.IsDefined(typeof(System.Net.Security.TlsCipherSuite), suite)
        ? ((System.Net.Security.TlsCipherSuite)suite).ToString()
        : $"0x{suite:x4}";

    internal static byte[] ClientHello(ushort version, ushort[] suites, string? serverName)
    {
        var body = new List<byte>();
        body.AddRange([(byte)(version >> 8), (byte)version]);
        body.AddRange(RandomNumberGenerator.GetBytes(32));
        body.Add(0); // no session id
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
        if (version >= 0x0303)
        {
            // signature_algorithms, required by TLS 1.2 servers: RSA-PKCS1 and ECDSA with SHA-256/384, RSA-PSS.
            extensions.AddRange([0x00, 0x0d, 0x00, 0x0c, 0x00, 0x0a, 0x04, 0x01, 0x05, 0x01, 0x04, 0x03, 0x05, 0x03, 0x08, 0x04]);
        }
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
