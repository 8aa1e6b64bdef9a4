using System.Buffers;
using System.Formats.Asn1;
using System.Net.Security;
using System.Security.Cryptography;
using System.Text;
using WssKit.Certificates;
using WssKit.Certificates.Acme;

namespace WssKit.Tests.Certificates.Acme;

/// <summary>TLS-ALPN-01 (RFC 8737): the ALPN read from a real ClientHello, and the validation certificate's shape.</summary>
public sealed class TlsAlpn01Tests
{
    [Theory]
    [InlineData(new[] { "acme-tls/1" }, true)]
    [InlineData(new[] { "h2", "http/1.1", "acme-tls/1" }, true)]
    [InlineData(new[] { "h2", "http/1.1" }, false)]
    [InlineData(new string[0], false)]
    public async Task ClientHelloAlpn_ReadsWhatSslStreamOffers(string[] protocols, bool offersAcme)
    {
        var hello = await ClientHelloAsync(protocols);

        Assert.Equal(offersAcme, ClientHelloAlpn.Offers(new ReadOnlySequence<byte>(hello), TlsAlpn01Challenges.Protocol));
    }

    [Fact]
    public void ClientHelloAlpn_NotAClientHello_False()
    {
        Assert.False(ClientHelloAlpn.Offers(new ReadOnlySequence<byte>("GET / HTTP/1.1\r\n\r\n"u8.ToArray()), TlsAlpn01Challenges.Protocol));
        Assert.False(ClientHelloAlpn.Offers(new ReadOnlySequence<byte>(new byte[] { 0x16, 0x03, 0x01 }), TlsAlpn01Challenges.Protocol));
    }

    [Fact]
    public void Challenge_CertificateForTheDomainWithTheKeyAuthorizationHashInACriticalExtension()
    {
        var challenges = new TlsAlpn01Challenges();

        challenges.Publish("example.com", "token.thumbprint");
        var certificate = challenges.For("EXAMPLE.com")!;
        var extension = certificate.Extensions["1.3.6.1.5.5.7.1.31"]!;

        Assert.True(challenges.Any);
        Assert.Equal(["example.com"], SubjectNames.Of(certificate));
        Assert.True(extension.Critical);
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes("token.thumbprint")), new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadOctetString());
        challenges.Withdraw("example.com");
        Assert.Null(challenges.For("example.com"));
        Assert.False(challenges.Any);
    }

    private static async Task<byte[]> ClientHelloAsync(string[] protocols)
    {
        var capture = new FirstWrite();
        await using var tls = new SslStream(capture);
        await Assert.ThrowsAnyAsync<Exception>(() => tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "example.com",
            ApplicationProtocols = [.. protocols.Select(p => new SslApplicationProtocol(p))],
        }));
        return capture.Written ?? throw new InvalidOperationException("no ClientHello was written");
    }

    /// <summary>Keeps the first write (the ClientHello) and ends the handshake there.</summary>
    private sealed class FirstWrite : Stream
    {
        public byte[]? Written { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("capture only");

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Written ??= buffer[offset..(offset + count)];
    }
}
