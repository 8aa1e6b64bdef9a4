using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using WssKit.Certificates.Acme;
using WssKit.Server.Configuration;
using WssKit.Server.Logging;
using WssKit.Server.Metrics;

namespace WssKit.Server.Http;

/// <summary>
/// What the plain-HTTP port does: page requests are redirected to https (308 keeps the method); ws:// upgrades are
/// refused with a body that names the wss:// URL to use, unless --insecure serves them for local development.
/// </summary>
internal sealed class PlainHttpPolicy(WssServerOptions options, Func<int> tlsPort, ServerMetrics metrics, Http01Challenges challenges, ILogger<PlainHttpPolicy> logger)
{
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        // An ACME CA proving a domain fetches its challenge over plain HTTP, before anything else applies.
        if (!context.Request.IsHttps && challenges.TryAnswer(context.Request.Path.Value ?? "", out var keyAuthorization))
        {
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync(keyAuthorization);
        }
        if (context.Request.IsHttps || options.Insecure)
        {
            return next(context);
        }
        var secureAuthority = SecureAuthority(context.Request.Host);
        if (context.Request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase))
        {
            var url = $"wss://{secureAuthority}{context.Request.PathBase}{context.Request.Path}";
            metrics.HandshakeFailed("upgrade", "insecure-ws");
            Log.UpgradeRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", StatusCodes.Status426UpgradeRequired, "insecure-ws");
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            context.Response.Headers.Upgrade = "TLS/1.3, TLS/1.2";
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync($"Plain ws:// is refused: this server only speaks WebSockets over TLS. Connect to {url} instead.\n");
        }
        context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
        context.Response.Headers.Location = $"https://{secureAuthority}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
        return Task.CompletedTask;
    }

    private string SecureAuthority(HostString requested)
    {
        var host = string.IsNullOrEmpty(requested.Host) ? "localhost" : requested.Host;
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
        {
            host = $"[{host}]";
        }
        var port = tlsPort();
        return port == 443 ? host : $"{host}:{port}";
    }
}
