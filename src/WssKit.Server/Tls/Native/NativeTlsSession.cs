using System.Net.Security;
using System.Security.Authentication;

namespace WssKit.Server.Tls.Native;

/// <summary>What a finished handshake negotiated: protocol version, cipher suite and ALPN protocol.</summary>
internal sealed record NativeTlsSession(SslProtocols Protocol, TlsCipherSuite CipherSuite, ReadOnlyMemory<byte> ApplicationProtocol)
{
    public static unsafe NativeTlsSession Of(nint ssl)
    {
        var protocol = LibSsl.SslVersion(ssl) switch
        {
            LibSsl.Tls13Version => SslProtocols.Tls13,
            LibSsl.Tls12Version => SslProtocols.Tls12,
            _ => SslProtocols.None,
        };
        var cipher = LibSsl.SslGetCurrentCipher(ssl);
        byte* alpn;
        uint length;
        LibSsl.SslGetAlpnSelected(ssl, &alpn, &length);
        return new NativeTlsSession(
            protocol,
            cipher == 0 ? default : (TlsCipherSuite)LibSsl.CipherProtocolId(cipher),
            length == 0 ? ReadOnlyMemory<byte>.Empty : Known(new ReadOnlySpan<byte>(alpn, (int)length)));
    }

    // The negotiated protocol is one of the server's two: the same array every time, no allocation per connection.
    private static ReadOnlyMemory<byte> Known(ReadOnlySpan<byte> alpn)
        => alpn.SequenceEqual(SslApplicationProtocol.Http2.Protocol.Span) ? SslApplicationProtocol.Http2.Protocol
            : alpn.SequenceEqual(SslApplicationProtocol.Http11.Protocol.Span) ? SslApplicationProtocol.Http11.Protocol
            : alpn.ToArray();
}
