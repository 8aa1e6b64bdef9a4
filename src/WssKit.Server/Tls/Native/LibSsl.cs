using System.Runtime.InteropServices;

namespace WssKit.Server.Tls.Native;

/// <summary>
/// The parts of OpenSSL 3 (libssl.so.3, libcrypto.so.3: the same libraries .NET itself uses on Linux) that the native
/// TLS layer calls. Macros of ssl.h are spelled out as the ctrl calls they expand to.
/// </summary>
internal static unsafe partial class LibSsl
{
    private const string Ssl = "libssl.so.3";
    private const string Crypto = "libcrypto.so.3";

    public const int Tls12Version = 0x0303;
    public const int Tls13Version = 0x0304;

    public const int CtrlMode = 33;
    public const int CtrlSetReadAhead = 41;
    public const int CtrlSetSessionCacheMode = 44;
    public const int CtrlSetServerNameCallback = 53;
    public const int CtrlChainCertificate = 89;
    public const int CtrlSetMinProtocolVersion = 123;

    public const long ModeReleaseBuffers = 0x10;
    public const long SessionCacheOff = 0;

    public const ulong OptionIgnoreUnexpectedEof = 1UL << 7;
    public const ulong OptionNoCompression = 1UL << 17;
    public const ulong OptionCipherServerPreference = 1UL << 22;
    public const ulong OptionNoRenegotiation = 1UL << 30;

    public const int ErrorWantRead = 2;
    public const int ErrorSyscall = 5;
    public const int ErrorZeroReturn = 6;

    public const int ServerNameOk = 0;
    public const int AlpnOk = 0;
    public const int AlpnNoAcknowledgement = 3;
    public const int AlpnNegotiated = 1;

    public const int BioTypeSourceSink = 0x0400;
    public const int BioCtrlEof = 2;
    public const int BioCtrlFlush = 11;
    public const int BioFlagsRetryRead = 0x01 | 0x08; // BIO_FLAGS_READ | BIO_FLAGS_SHOULD_RETRY

    [LibraryImport(Ssl, EntryPoint = "TLS_server_method")]
    public static partial nint TlsServerMethod();

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_new")]
    public static partial nint ContextNew(nint method);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_free")]
    public static partial void ContextFree(nint context);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_ctrl")]
    public static partial long ContextCtrl(nint context, int command, long larg, nint parg);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_callback_ctrl")]
    public static partial long ContextCallbackCtrl(nint context, int command, nint callback);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_options")]
    public static partial ulong ContextSetOptions(nint context, ulong options);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_ciphersuites", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ContextSetTls13Suites(nint context, string suites);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_cipher_list", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ContextSetTls12Suites(nint context, string suites);

    [LibraryImport(Ssl, EntryPoint = "SSL_set_default_read_buffer_len")]
    public static partial void SslSetReadBufferLength(nint ssl, nuint length);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_num_tickets")]
    public static partial int ContextSetTicketCount(nint context, nuint count);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_use_certificate")]
    public static partial int ContextUseCertificate(nint context, nint x509);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_use_PrivateKey")]
    public static partial int ContextUsePrivateKey(nint context, nint key);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_check_private_key")]
    public static partial int ContextCheckPrivateKey(nint context);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_alpn_select_cb")]
    public static partial void ContextSetAlpnSelect(nint context, delegate* unmanaged<nint, byte**, byte*, byte*, uint, nint, int> callback, nint argument);

    [LibraryImport(Ssl, EntryPoint = "SSL_select_next_proto")]
    public static partial int SelectNextProtocol(byte** output, byte* outputLength, byte* server, uint serverLength, byte* client, uint clientLength);

    [LibraryImport(Ssl, EntryPoint = "SSL_new")]
    public static partial nint SslNew(NativeTlsContext context);

    [LibraryImport(Ssl, EntryPoint = "SSL_free")]
    public static partial void SslFree(nint ssl);

    /// <summary>The SSL takes one reference when both are the same BIO.</summary>
    [LibraryImport(Ssl, EntryPoint = "SSL_set_bio")]
    public static partial void SslSetBio(nint ssl, nint readBio, nint writeBio);

    [LibraryImport(Ssl, EntryPoint = "SSL_get_wbio")]
    public static partial nint SslGetWriteBio(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_set_accept_state")]
    public static partial void SslSetAcceptState(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_set_SSL_CTX")]
    public static partial nint SslSetContext(nint ssl, nint context);

    [LibraryImport(Ssl, EntryPoint = "SSL_do_handshake")]
    public static partial int SslDoHandshake(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_read")]
    public static partial int SslRead(nint ssl, byte* buffer, int length);

    [LibraryImport(Ssl, EntryPoint = "SSL_has_pending")]
    public static partial int SslHasPending(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_write")]
    public static partial int SslWrite(nint ssl, byte* buffer, int length);

    [LibraryImport(Ssl, EntryPoint = "SSL_shutdown")]
    public static partial int SslShutdown(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_get_error")]
    public static partial int SslGetError(nint ssl, int result);

    [LibraryImport(Ssl, EntryPoint = "SSL_version")]
    public static partial int SslVersion(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_get_current_cipher")]
    public static partial nint SslGetCurrentCipher(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_CIPHER_get_protocol_id")]
    public static partial ushort CipherProtocolId(nint cipher);

    [LibraryImport(Ssl, EntryPoint = "SSL_get0_alpn_selected")]
    public static partial void SslGetAlpnSelected(nint ssl, byte** data, uint* length);

    [LibraryImport(Ssl, EntryPoint = "SSL_get_servername")]
    public static partial nint SslGetServerName(nint ssl, int type);

    [LibraryImport(Crypto, EntryPoint = "BIO_meth_new", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint BioMethodNew(int type, string name);

    [LibraryImport(Crypto, EntryPoint = "BIO_get_new_index")]
    public static partial int BioGetNewIndex();

    [LibraryImport(Crypto, EntryPoint = "BIO_meth_set_write")]
    public static partial int BioMethodSetWrite(nint method, delegate* unmanaged<nint, byte*, int, int> write);

    [LibraryImport(Crypto, EntryPoint = "BIO_meth_set_read")]
    public static partial int BioMethodSetRead(nint method, delegate* unmanaged<nint, byte*, int, int> read);

    [LibraryImport(Crypto, EntryPoint = "BIO_set_flags")]
    public static partial void BioSetFlags(nint bio, int flags);

    [LibraryImport(Crypto, EntryPoint = "BIO_clear_flags")]
    public static partial void BioClearFlags(nint bio, int flags);

    [LibraryImport(Crypto, EntryPoint = "BIO_meth_set_ctrl")]
    public static partial int BioMethodSetCtrl(nint method, delegate* unmanaged<nint, int, long, nint, long> ctrl);

    [LibraryImport(Crypto, EntryPoint = "BIO_new")]
    public static partial nint BioNew(nint method);

    [LibraryImport(Crypto, EntryPoint = "BIO_set_data")]
    public static partial void BioSetData(nint bio, nint data);

    [LibraryImport(Crypto, EntryPoint = "BIO_get_data")]
    public static partial nint BioGetData(nint bio);

    [LibraryImport(Crypto, EntryPoint = "BIO_set_init")]
    public static partial void BioSetInit(nint bio, int init);

    [LibraryImport(Crypto, EntryPoint = "d2i_X509")]
    public static partial nint DecodeCertificate(nint reuse, byte** data, long length);

    [LibraryImport(Crypto, EntryPoint = "X509_free")]
    public static partial void CertificateFree(nint x509);

    [LibraryImport(Crypto, EntryPoint = "d2i_AutoPrivateKey")]
    public static partial nint DecodePrivateKey(nint reuse, byte** data, long length);

    [LibraryImport(Crypto, EntryPoint = "EVP_PKEY_free")]
    public static partial void PrivateKeyFree(nint key);

    [LibraryImport(Crypto, EntryPoint = "ERR_peek_error")]
    public static partial ulong ErrorPeek();

    /// <summary>Empties this thread's error queue when it holds anything: a look is cheaper than a clear, and it is almost always empty.</summary>
    public static void ClearErrors()
    {
        if (ErrorPeek() != 0)
        {
            ErrorClear();
        }
    }

    [LibraryImport(Crypto, EntryPoint = "ERR_get_error")]
    public static partial ulong ErrorGet();

    [LibraryImport(Crypto, EntryPoint = "ERR_clear_error")]
    public static partial void ErrorClear();

    [LibraryImport(Crypto, EntryPoint = "ERR_error_string_n")]
    public static partial void ErrorString(ulong error, byte* buffer, nuint length);

    /// <summary>The oldest error on this thread's OpenSSL error queue as text (the queue is emptied), or null.</summary>
    public static string? TakeError()
    {
        var error = ErrorGet();
        ErrorClear();
        if (error == 0)
        {
            return null;
        }
        var text = stackalloc byte[256];
        ErrorString(error, text, 256);
        return Marshal.PtrToStringUTF8((nint)text);
    }

    /// <summary>Whether OpenSSL 3 can be loaded here (Linux with libssl.so.3).</summary>
    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && Probe();

    /// <summary>
    /// The loaded OpenSSL's name and version ("OpenSSL 3.0.22"), or null when none can be loaded: performance and
    /// memory per connection depend on it (see docs/benchmarks.md), and a library path can swap it.
    /// </summary>
    public static string? Version { get; } = IsAvailable ? NameAndVersion(Marshal.PtrToStringUTF8(OpenSslVersion(0))) : null;

    [LibraryImport(Crypto, EntryPoint = "OpenSSL_version")]
    private static partial nint OpenSslVersion(int type);

    // OpenSSL_version(OPENSSL_VERSION) is "OpenSSL 3.0.22 25 Aug 2026": the name and number are what tell builds apart.
    private static string? NameAndVersion(string? text)
        => text?.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries) is [var name, var number, ..] ? $"{name} {number}" : text;

    private static bool Probe()
    {
        try
        {
            return TlsServerMethod() != 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
