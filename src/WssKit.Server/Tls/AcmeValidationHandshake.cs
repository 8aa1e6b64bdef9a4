namespace WssKit.Server.Tls;

/// <summary>
/// Marks a connection whose ClientHello asks for ALPN acme-tls/1 while a TLS-ALPN-01 validation is pending: its
/// handshake gets the validation certificate. A connection feature rather than an entry in the connection's Items,
/// which Kestrel would create for every connection just to be asked.
/// </summary>
internal sealed class AcmeValidationHandshake
{
    public static readonly AcmeValidationHandshake Instance = new();

    private AcmeValidationHandshake()
    {
    }
}
