using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace WssKit.Server.Http;

/// <summary>
/// Adds Strict-Transport-Security to HTTPS responses, so browsers never try plain HTTP again. Not for loopback hosts:
/// a browser would then insist on HTTPS for every local development server on that name.
/// </summary>
internal sealed class Hsts(TimeSpan maxAge)
{
    private readonly string _value = string.Create(CultureInfo.InvariantCulture, $"max-age={(long)maxAge.TotalSeconds}");

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (maxAge > TimeSpan.Zero && context.Request.IsHttps && !IsLoopback(context.Request.Host.Host))
        {
            context.Response.Headers.StrictTransportSecurity = _value;
        }
        return next(context);
    }

    private static bool IsLoopback(string host)
        => host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
