using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using WssKit.Server.Metrics;
using WssKit.Server.Tls;
using WssKit.Server.WebSockets;

namespace WssKit.Server.Http;

/// <summary>The plain HTTP endpoints: / (what is served), /healthz and /metrics.</summary>
internal sealed class InfoEndpoints(ServedCertificates certificates, ConnectionRegistry registry, ServerMetrics metrics,
    PrometheusExporter exporter, TimeProvider time)
{
    public const string EchoPath = "/echo";

    private static readonly string HomePage = $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>WssKit server</title>
        <style>body{font:16px/1.5 system-ui,sans-serif;max-width:42em;margin:3em auto;padding:0 1em}code{background:#f3f3f3;padding:0 .3em}</style>
        </head><body>
        <h1>WssKit server</h1>
        <p>This server speaks WebSockets over TLS. It serves:</p>
        <ul>
        <li><code>{{EchoPath}}</code>: a WebSocket that sends every message back, e.g. <code id="url">wss://host{{EchoPath}}</code></li>
        <li><code>/healthz</code>: health as JSON (503 while shutting down)</li>
        <li><code>/metrics</code>: Prometheus metrics</li>
        </ul>
        <p>Echo test from this page: <span id="status">connecting…</span></p>
        <script>
        const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '{{EchoPath}}';
        document.getElementById('url').textContent = url;
        const status = document.getElementById('status');
        const socket = new WebSocket(url);
        let sent = 0;
        socket.onopen = () => { sent = performance.now(); socket.send('hello'); };
        socket.onmessage = e => { status.textContent = 'received "' + e.data + '" back in ' + (performance.now() - sent).toFixed(1) + ' ms'; socket.close(1000); };
        socket.onerror = () => { status.textContent = 'failed: see the browser console'; };
        </script>
        </body></html>
        """;

    public Task HomeAsync(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(HomePage);
    }

    public Task HealthAsync(HttpContext context)
    {
        var now = time.GetUtcNow();
        context.Response.StatusCode = registry.Closing ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = registry.Closing ? "shutting-down" : "ok",
            connections = metrics.ConnectionsOpen,
            certificates = certificates.Slots.Select(slot => new
            {
                site = slot.Name,
                subject = slot.Current.Leaf.Subject,
                notAfter = slot.Current.NotAfter,
                secondsLeft = (long)(slot.Current.NotAfter - now).TotalSeconds,
            }),
        }, cancellationToken: context.RequestAborted);
    }

    public async Task MetricsAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await exporter.WriteAsync(context.Response.Body, context.RequestAborted);
    }

    public static Task NotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = (int)HttpStatusCode.NotFound;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync($"Not found. This server serves {EchoPath} (WebSocket echo), /healthz, /metrics and /.\n");
    }
}
