using System.Net.Sockets;
using System.Security.Authentication;
using WssKit.Server.Tls;

namespace WssKit.Tests.Tls;

public sealed class TlsFailureCounterTests
{
    [Theory]
    [InlineData("error:0A000418:SSL routines::tlsv1 alert unknown ca", "client-rejected-certificate")]
    [InlineData("error:0A000412:SSL routines::sslv3 alert bad certificate", "client-rejected-certificate")]
    [InlineData("error:0A00010B:SSL routines::wrong version number", "protocol-version")]
    [InlineData("error:0A000102:SSL routines::unsupported protocol", "protocol-version")]
    [InlineData("error:0A0000C1:SSL routines::no shared cipher", "no-shared-cipher")]
    [InlineData("Received an unexpected EOF or 0 bytes from the transport stream.", "client-closed")]
    [InlineData("Something nobody expected.", "other")]
    [InlineData("The record was only 10 bytes long.", "other")]
    public void Classify_Message_Reason(string message, string reason)
    {
        Assert.Equal(reason, TlsFailureCounter.Classify(new AuthenticationException(message)));
    }

    [Theory]
    [InlineData("error:0A000418:SSL routines::tlsv1 alert unknown ca", "client-rejected-certificate")]
    [InlineData("error:0A000102:SSL routines::unsupported protocol", "protocol-version")]
    [InlineData("error:0A0000C1:SSL routines::no shared cipher", "no-shared-cipher")]
    [InlineData("Received an unexpected EOF or 0 bytes from the transport stream.", "client-closed")]
    public void Classify_MessageInInnerException_Reason(string message, string reason)
    {
        var exception = new AuthenticationException("Authentication failed, see inner exception.",
            new InvalidOperationException("SSL Handshake failed with OpenSSL error - SSL_ERROR_SSL.", new IOException(message)));

        Assert.Equal(reason, TlsFailureCounter.Classify(exception));
    }

    [Fact]
    public void Classify_ConnectionReset_ClientClosed()
    {
        var exception = new IOException("Unable to read data from the transport connection: Connection reset by peer.",
            new SocketException((int)SocketError.ConnectionReset));

        Assert.Equal("client-closed", TlsFailureCounter.Classify(exception));
    }

    [Fact]
    public void Classify_NoException_Other()
    {
        Assert.Equal("other", TlsFailureCounter.Classify((Exception?)null));
    }
}
