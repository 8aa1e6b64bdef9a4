using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates;

namespace WssKit.Server.Tls.Native;

/// <summary>
/// An OpenSSL SSL_CTX for one served certificate, built once and shared by every handshake that presents it: the
/// policy of <see cref="TlsPolicy"/> (TLS 1.2 and 1.3, forward-secret AEAD suites, ALPN h2 and http/1.1, no
/// renegotiation), the leaf, its key and the chain. Connections release OpenSSL's record buffers while idle.
/// </summary>
internal sealed unsafe class NativeTlsContext : SafeHandle
{
    private const string Tls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
    private const string Tls12Suites = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

    // The server's ALPN list in wire format, in order of preference; native memory that lives as long as the process.
    private static readonly byte* ServerAlpn = WireAlpn("h2", "http/1.1", out ServerAlpnLength);
    private static readonly uint ServerAlpnLength;

    private NativeTlsContext(nint context) : base(0, ownsHandle: true) => SetHandle(context);

    public override bool IsInvalid => handle == 0;

    /// <summary>Builds the context, or returns null with the reason when OpenSSL cannot take this certificate.</summary>
    public static NativeTlsContext? TryCreate(ServerCertificate certificate, out string? problem)
    {
        var context = new NativeTlsContext(LibSsl.ContextNew(LibSsl.TlsServerMethod()));
        if (context.IsInvalid)
        {
            problem = LibSsl.TakeError() ?? "SSL_CTX_new failed";
            return null;
        }
        var ctx = context.handle;
        problem = Configure(ctx) ?? UseCertificate(ctx, certificate);
        if (problem is null)
        {
            return context;
        }
        context.Dispose();
        return null;
    }

    /// <summary>Switches a connection in its handshake to this context (SNI); the connection takes its own reference.</summary>
    public void AttachTo(nint ssl)
    {
        var added = false;
        try
        {
            DangerousAddRef(ref added);
            LibSsl.SslSetContext(ssl, handle);
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }

    protected override bool ReleaseHandle()
    {
        // Connections hold their own reference: they keep a replaced context alive until they end.
        LibSsl.ContextFree(handle);
        return true;
    }

    private static string? Configure(nint ctx)
    {
        if (LibSsl.ContextCtrl(ctx, LibSsl.CtrlSetMinProtocolVersion, LibSsl.Tls12Version, 0) != 1
            || LibSsl.ContextSetTls13Suites(ctx, Tls13Suites) != 1
            || LibSsl.ContextSetTls12Suites(ctx, Tls12Suites) != 1)
        {
            return LibSsl.TakeError() ?? "the TLS policy was refused";
        }
        // A client that closes without close_notify ends its stream, as with SslStream: WebSocket and HTTP framing
        // tell a cut message from a whole one.
        LibSsl.ContextSetOptions(ctx, LibSsl.OptionNoRenegotiation | LibSsl.OptionCipherServerPreference | LibSsl.OptionNoCompression
            | LibSsl.OptionIgnoreUnexpectedEof);
        // OpenSSL reads from the socket itself: with read-ahead it takes all that has arrived in one read (up to its
        // buffer's size, which each connection adapts to its traffic), instead of a record header and then its body.
        LibSsl.ContextCtrl(ctx, LibSsl.CtrlSetReadAhead, 1, 0);
        // Idle connections give their 16 KiB read and write buffers back (OpenSSL keeps them by default).
        LibSsl.ContextCtrl(ctx, LibSsl.CtrlMode, LibSsl.ModeReleaseBuffers, 0);
        // Resumption is by stateless ticket only: a server-side session cache would hold memory per past client and
        // take a lock per handshake. One ticket per connection is enough for a WebSocket client that reconnects.
        LibSsl.ContextCtrl(ctx, LibSsl.CtrlSetSessionCacheMode, LibSsl.SessionCacheOff, 0);
        LibSsl.ContextSetTicketCount(ctx, 1);
        LibSsl.ContextSetAlpnSelect(ctx, &SelectAlpn, 0);
        LibSsl.ContextCallbackCtrl(ctx, LibSsl.CtrlSetServerNameCallback, (nint)(delegate* unmanaged<nint, int*, nint, int>)&NativeTlsConnection.OnServerName);
        return null;
    }

    private static string? UseCertificate(nint ctx, ServerCertificate certificate)
    {
        byte[]? key = null;
        try
        {
            key = (certificate.Leaf.GetRSAPrivateKey() as AsymmetricAlgorithm ?? certificate.Leaf.GetECDsaPrivateKey())?.ExportPkcs8PrivateKey();
        }
        catch (CryptographicException)
        {
            // A key that cannot be exported (a hardware or non-exportable key) is served by .NET's TLS instead.
        }
        if (key is null)
        {
            return "the private key cannot be exported to OpenSSL";
        }
        try
        {
            if (!Use(ctx, certificate.Leaf.RawData, chain: false))
            {
                return LibSsl.TakeError() ?? "the certificate was refused";
            }
            foreach (var intermediate in certificate.Chain)
            {
                if (!Use(ctx, intermediate.RawData, chain: true))
                {
                    return LibSsl.TakeError() ?? "an intermediate certificate was refused";
                }
            }
            fixed (byte* der = key)
            {
                var cursor = der;
                var pkey = LibSsl.DecodePrivateKey(0, &cursor, key.Length);
                var used = pkey != 0 && LibSsl.ContextUsePrivateKey(ctx, pkey) == 1;
                if (pkey != 0)
                {
                    LibSsl.PrivateKeyFree(pkey);
                }
                if (!used || LibSsl.ContextCheckPrivateKey(ctx) != 1)
                {
                    return LibSsl.TakeError() ?? "the private key was refused";
                }
            }
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static bool Use(nint ctx, byte[] der, bool chain)
    {
        fixed (byte* data = der)
        {
            var cursor = data;
            var x509 = LibSsl.DecodeCertificate(0, &cursor, der.Length);
            if (x509 == 0)
            {
                return false;
            }
            // add1 takes its own reference, as use_certificate does.
            var ok = chain
                ? LibSsl.ContextCtrl(ctx, LibSsl.CtrlChainCertificate, 1, x509) == 1
                : LibSsl.ContextUseCertificate(ctx, x509) == 1;
            LibSsl.CertificateFree(x509);
            return ok;
        }
    }

    /// <summary>ALPN: the first of the server's protocols the client offers; none (no ALPN) when there is no match.</summary>
    [UnmanagedCallersOnly]
    private static int SelectAlpn(nint ssl, byte** output, byte* outputLength, byte* client, uint clientLength, nint argument)
        => LibSsl.SelectNextProtocol(output, outputLength, ServerAlpn, ServerAlpnLength, client, clientLength) == LibSsl.AlpnNegotiated
            ? LibSsl.AlpnOk
            : LibSsl.AlpnNoAcknowledgement;

    private static byte* WireAlpn(string first, string second, out uint length)
    {
        byte[] wire = [(byte)first.Length, .. System.Text.Encoding.ASCII.GetBytes(first), (byte)second.Length, .. System.Text.Encoding.ASCII.GetBytes(second)];
        var memory = (byte*)NativeMemory.Alloc((nuint)wire.Length);
        wire.CopyTo(new Span<byte>(memory, wire.Length));
        length = (uint)wire.Length;
        return memory;
    }
}
