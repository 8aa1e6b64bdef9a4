using Microsoft.Extensions.Logging;

namespace WssKit.Server.Logging;

/// <summary>
/// Every log event of the server, source-generated. Event ids by area: 1xxx server, 2xxx certificates,
/// 3xxx WebSockets, 4xxx HTTP and TLS. Nothing secret (keys, passwords, message contents) is ever logged.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(1002, LogLevel.Information, "Shutting down: closing {Connections} WebSocket connections with 1001, waiting up to {Timeout}")]
    public static partial void ShuttingDown(ILogger logger, int connections, string timeout);

    [LoggerMessage(1003, LogLevel.Information, "Stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(1004, LogLevel.Warning, "{Message}")]
    public static partial void StartupWarning(ILogger logger, string message);

    [LoggerMessage(2001, LogLevel.Information, "Certificate for {Site} replaced: {Subject}, serial {Serial}, expires {NotAfter:u}, SHA-256 {Fingerprint}")]
    public static partial void CertificateReplaced(ILogger logger, string site, string subject, string serial, DateTimeOffset notAfter, string fingerprint);

    [LoggerMessage(2002, LogLevel.Error, "Certificate reload for {Site} failed, the previous certificate stays in service: {Error}")]
    public static partial void CertificateReloadFailed(ILogger logger, string site, string error);

    [LoggerMessage(2003, LogLevel.Debug, "Certificate for {Site} unchanged")]
    public static partial void CertificateUnchanged(ILogger logger, string site);

    [LoggerMessage(2004, LogLevel.Warning, "Certificate for {Site}: {Problem}")]
    public static partial void CertificateProblem(ILogger logger, string site, string problem);

    [LoggerMessage(2005, LogLevel.Information, "Certificate reload requested for {Site}: {Status}; serving serial {Serial}")]
    public static partial void ReloadRequested(ILogger logger, string site, string status, string serial);

    [LoggerMessage(3001, LogLevel.Debug, "WebSocket {Path} opened from {Client} (subprotocol {Subprotocol})")]
    public static partial void WebSocketOpened(ILogger logger, string path, string client, string subprotocol);

    [LoggerMessage(3002, LogLevel.Debug, "WebSocket {Path} from {Client} closed with {Code} after {Seconds:0.0} s")]
    public static partial void WebSocketClosed(ILogger logger, string path, string client, int code, double seconds);

    [LoggerMessage(3003, LogLevel.Debug, "WebSocket upgrade from {Client} refused with {Status}: {Reason}")]
    public static partial void UpgradeRefused(ILogger logger, string client, int status, string reason);

    [LoggerMessage(4001, LogLevel.Debug, "Plain HTTP sent to the TLS port from {Client}: answered 400")]
    public static partial void PlaintextOnTlsPort(ILogger logger, string client);

    [LoggerMessage(4002, LogLevel.Debug, "TLS handshake from {Client} failed: {Reason}")]
    public static partial void TlsHandshakeFailed(ILogger logger, string client, string reason);

    [LoggerMessage(4003, LogLevel.Error, "Connection {ConnectionId} failed")]
    public static partial void ConnectionFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(2101, LogLevel.Information, "ACME: certificate for {Domains} issued by {Issuer}, valid until {NotAfter:u}")]
    public static partial void AcmeIssued(ILogger logger, string domains, string issuer, DateTimeOffset notAfter);

    [LoggerMessage(2102, LogLevel.Error, "ACME: no certificate for {Domains}: {Reason}; what is served stays, next try in {Seconds:0} s")]
    public static partial void AcmeFailed(ILogger logger, string domains, string reason, double seconds);
}
