using Prometheus;
using WssKit.Server.Tls;
using WssKit.Server.WebSockets;

namespace WssKit.Server.Metrics;

/// <summary>Renders the server's metrics in the Prometheus text format for /metrics.</summary>
internal sealed class PrometheusExporter
{
    private readonly CollectorRegistry _registry;

    static PrometheusExporter()
    {
        // The library's default registry would also listen to every .NET meter and event counter in the process;
        // each server exports its own registry instead.
        Prometheus.Metrics.SuppressDefaultMetrics();
    }

    public PrometheusExporter(ServerMetrics metrics, ConnectionRegistry registry, ServedCertificates certificates, TlsInUse tls, TimeProvider time)
    {
        _registry = Prometheus.Metrics.NewCustomRegistry();
        DotNetStats.Register(_registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        var open = factory.CreateGauge("wss_connections_open", "WebSocket connections open now.");
        var total = factory.CreateCounter("wss_connections_total", "WebSocket connections accepted since start.");
        var upgrades = factory.CreateCounter("wss_upgrades_total", "WebSocket connections accepted, by HTTP version of the upgrade (1.1: 101 Switching Protocols, 2: extended CONNECT).", "http");
        var messages = factory.CreateCounter("wss_messages_total", "WebSocket messages, by direction (received from clients, sent to clients).", "direction");
        var bytes = factory.CreateCounter("wss_message_bytes_total", "WebSocket message payload bytes, by direction.", "direction");
        var failures = factory.CreateCounter("wss_handshakes_failed_total", "Failed TLS and WebSocket handshakes, by stage and reason.", "stage", "reason");
        var closes = factory.CreateCounter("wss_connections_closed_total", "Closed WebSocket connections, by close code (1006: no close frame).", "code");
        var drops = factory.CreateCounter("wss_connections_dropped_total", "Connections the server cut off, by reason (ping-timeout, close-timeout, slow-consumer, write-failed).", "reason");
        var protocolErrors = factory.CreateCounter("wss_protocol_errors_total", "Connections failed for breaking the WebSocket protocol, by the close code sent (1002, 1007, 1009).", "code");
        var expiry = factory.CreateGauge("wss_certificate_expiry_seconds", "Seconds until the served certificate expires (negative once expired), by site.", "site");
        var notAfter = factory.CreateGauge("wss_certificate_not_after_timestamp_seconds", "Expiry of the served certificate as a Unix time, by site.", "site");
        var allocated = factory.CreateCounter("wss_process_allocated_bytes_total", "Managed bytes allocated since start: flat while messages flow means no allocation per message.");
        factory.CreateGauge("wss_tls_info", "What serves TLS: the engine (openssl: driven directly, dotnet: SslStream) and the OpenSSL loaded; always 1.", "engine", "library")
            .WithLabels(tls.Engine, tls.Library ?? "none").Set(1);
        var reloads = factory.CreateCounter("wss_certificate_reloads_total", "Certificate reloads, by site and result (replaced, unchanged, failed).", "site", "result");
        foreach (var slot in certificates.Slots)
        {
            foreach (var result in new[] { "replaced", "unchanged", "failed" })
            {
                reloads.WithLabels(slot.Name, result).IncTo(0);
            }
        }
        ReloadCounter = (site, result) => reloads.WithLabels(site, result).Inc();
        _factory = factory;
        _registry.AddBeforeCollectCallback(() =>
        {
            open.Set(metrics.ConnectionsOpen);
            total.IncTo(metrics.ConnectionsTotal);
            upgrades.WithLabels("1.1").IncTo(metrics.UpgradesHttp11);
            upgrades.WithLabels("2").IncTo(metrics.UpgradesHttp2);
            var (messagesReceived, messagesSent, bytesReceived, bytesSent) = metrics.Closed;
            foreach (var connection in registry.Open)
            {
                messagesReceived += connection.MessagesReceived;
                messagesSent += connection.MessagesSent;
                bytesReceived += connection.BytesReceived;
                bytesSent += connection.BytesSent;
            }
            messages.WithLabels("received").IncTo(messagesReceived);
            messages.WithLabels("sent").IncTo(messagesSent);
            bytes.WithLabels("received").IncTo(bytesReceived);
            bytes.WithLabels("sent").IncTo(bytesSent);
            foreach (var ((stage, reason), count) in metrics.HandshakeFailures)
            {
                failures.WithLabels(stage, reason).IncTo(count);
            }
            foreach (var (code, count) in metrics.Closes)
            {
                closes.WithLabels(code.ToString(System.Globalization.CultureInfo.InvariantCulture)).IncTo(count);
            }
            foreach (var (reason, count) in metrics.Drops)
            {
                drops.WithLabels(reason).IncTo(count);
            }
            foreach (var (code, count) in metrics.ProtocolErrors)
            {
                protocolErrors.WithLabels(code.ToString(System.Globalization.CultureInfo.InvariantCulture)).IncTo(count);
            }
            allocated.IncTo(GC.GetTotalAllocatedBytes());
            var now = time.GetUtcNow();
            foreach (var slot in certificates.Slots)
            {
                expiry.WithLabels(slot.Name).Set((slot.Current.NotAfter - now).TotalSeconds);
                notAfter.WithLabels(slot.Name).Set(slot.Current.NotAfter.ToUnixTimeSeconds());
            }
        });
    }

    /// <summary>Counts a certificate reload: site, then result.</summary>
    public Action<string, string> ReloadCounter { get; }

    private readonly MetricFactory _factory;

    /// <summary>Starts counting ACME orders (shown only when the server orders certificates); returns the counter by result.</summary>
    public Action<string> TrackAcmeOrders()
    {
        var orders = _factory.CreateCounter("wss_acme_orders_total", "Certificate orders from the ACME CA, by result (issued, failed).", "result");
        orders.WithLabels("issued").IncTo(0);
        orders.WithLabels("failed").IncTo(0);
        return result => orders.WithLabels(result).Inc();
    }

    public Task WriteAsync(Stream output, CancellationToken cancellationToken) => _registry.CollectAndExportAsTextAsync(output, cancellationToken);
}
