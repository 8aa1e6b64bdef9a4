using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WssKit.Certificates;
using WssKit.Certificates.Acme;
using WssKit.Certificates.Reload;
using WssKit.Protocol;
using WssKit.Server.Configuration;
using WssKit.Server.Http;
using WssKit.Server.Logging;
using WssKit.Server.Metrics;
using WssKit.Server.Tls;
using WssKit.Server.Tls.Native;
using WssKit.Server.Transport;
using WssKit.Server.WebSockets;

namespace WssKit.Server.Hosting;

/// <summary>
/// A running wss:// server: Kestrel with the TLS policy and certificates of the options, the echo, health, metrics
/// and home endpoints, certificate reload, and a graceful stop that closes every WebSocket with 1001.
/// </summary>
public sealed class WssServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CertificateReloader _reloader;
    private readonly KeepAlive _keepAlive;
    private readonly ILogger _logger;
    private AcmeRenewer? _acme;
    private HttpClient? _acmeHttp;

    private WssServer(WebApplication app, CertificateReloader reloader, KeepAlive keepAlive, StartupReport report, ILogger logger)
    {
        _app = app;
        _reloader = reloader;
        _keepAlive = keepAlive;
        Report = report;
        _logger = logger;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Lifetime.ApplicationStopped.Register(() => stopped.TrySetResult());
        Completion = stopped.Task;
    }

    /// <summary>What is served: URLs, certificates, warnings.</summary>
    public StartupReport Report { get; }

    /// <summary>Completes once the server has stopped.</summary>
    public Task Completion { get; }

    /// <summary>Loads the certificates, binds the ports and starts serving.</summary>
    /// <exception cref="Certificates.CertificateException">A certificate cannot be loaded or must not be served.</exception>
    /// <exception cref="ServerStartException">A port cannot be bound.</exception>
    public static async Task<WssServer> StartAsync(WssServerOptions options, WssServerEnvironment? environment = null, CancellationToken cancellationToken = default)
    {
        environment ??= new WssServerEnvironment();
        var time = environment.Time;
        var certificates = CertificateSetup.Load(options, time);
        var validations = new TlsAlpn01Challenges();
        var metrics = new ServerMetrics();
        var warnings = new List<string>();
        var tlsAddresses = TlsAddresses(options, warnings);
        if (options.TlsEngine == TlsEngine.OpenSsl && OperatingSystem.IsLinux())
        {
            if (!LibSsl.IsAvailable)
            {
                warnings.Add("OpenSSL 3 (libssl.so.3) could not be loaded: TLS is served by .NET's SslStream instead (install libssl3, or pass --tls-engine dotnet to silence this)");
            }
            else if (certificates.Certificates.NativeProblem is { } problem)
            {
                warnings.Add($"TLS is served by .NET's SslStream instead of OpenSSL, because of the certificate of {problem}");
            }
        }

        // Nothing is served from disk: the content root is the tool's own folder, so a working directory that is
        // gone or unreadable (a service's) does not matter.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "wss", ContentRootPath = AppContext.BaseDirectory });
        ConfigureLogging(builder.Logging, options, environment, metrics);
        builder.Services.AddSingleton<IHostLifetime, ManualLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.AddSingleton(time);
        builder.WebHost.UseKestrelCore();
        // Sockets of our own: the native TLS layer runs OpenSSL on the socket itself, everything else gets Kestrel's
        // socket connections. Those run Kestrel's parsing and WssKit's frame handling on the socket's I/O thread instead
        // of queueing each read to the thread pool: a third more messages per CPU-second. Safe because nothing on that
        // path blocks: frame handlers are synchronous and must not wait, and sends only queue bytes.
        builder.Services.AddSingleton<IConnectionListenerFactory, DirectSocketTransport>();
        var webSockets = new WebSocketsAfterKestrel();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The whole upgrade request must arrive within the handshake timeout (slow-loris), and a connection
            // that sends no request at all is dropped as soon.
            kestrel.Limits.RequestHeadersTimeout = options.HandshakeTimeout;
            kestrel.Limits.KeepAliveTimeout = options.HandshakeTimeout;
            var connectionLogger = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("WssKit.Server.Tls");
            foreach (var address in tlsAddresses)
            {
                Listen(kestrel, address, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.Use(next => new PlaintextOnTlsPort(next, options.HandshakeTimeout, metrics, validations, connectionLogger).OnConnectionAsync);
                    // OpenSSL driven directly takes the connections it can; the rest go on to Kestrel's HTTPS.
                    var native = new NativeTlsLayer(certificates.Certificates, options.HandshakeTimeout, metrics, webSockets, connectionLogger);
                    listen.Use(native.Before);
                    listen.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = context => ValueTask.FromResult(
                            context.Connection.Features.Get<AcmeValidationHandshake>() is not null && validations.For(context.ClientHelloInfo.ServerName) is { } validation
                                ? new System.Net.Security.SslServerAuthenticationOptions { ServerCertificate = validation, ApplicationProtocols = [new(TlsAlpn01Challenges.Protocol)] }
                                : certificates.Certificates.Select(context.ClientHelloInfo.ServerName)),
                        HandshakeTimeout = options.HandshakeTimeout,
                    });
                    listen.Use(native.After);
                });
            }
            foreach (var address in PlainAddresses(options, tlsAddresses))
            {
                Listen(kestrel, address, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });

        var registry = new ConnectionRegistry(options, metrics);
        builder.Services.AddHostedService(_ => new WebSocketsShutdown(webSockets, registry));

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("WssKit.Server");
        var tls = TlsInUse.For(certificates.Certificates);
        var exporter = new PrometheusExporter(metrics, registry, certificates.Certificates, tls, time);
        var info = new InfoEndpoints(certificates.Certificates, registry, metrics, exporter, time);
        var settings = new ConnectionSettings(new ProtocolLimits { MaxMessageSize = options.MaxMessageSize },
            options.PingInterval, options.PingTimeout, options.IdleTimeout, options.MaxOutgoingBuffer);
        var keepAlive = new KeepAlive(registry, settings, time);
        var upgrade = new WebSocketUpgrade(options, settings, registry, metrics, keepAlive, app.Services.GetRequiredService<ILogger<WebSocketUpgrade>>());
        var boundTlsPort = 0;
        var challenges = new Http01Challenges();
        if (options.HttpPort is not null)
        {
            var plain = new PlainHttpPolicy(options, () => boundTlsPort, metrics, challenges, app.Services.GetRequiredService<ILogger<PlainHttpPolicy>>());
            app.Use(plain.InvokeAsync);
        }
        app.Use(new Hsts(options.HstsMaxAge).InvokeAsync);
        app.Run(context => context.Request.Path.Value switch
        {
            InfoEndpoints.EchoPath => upgrade.HandleAsync(context, EchoHandler.Instance),
            "/healthz" => info.HealthAsync(context),
            "/metrics" => info.MetricsAsync(context),
            "/" => info.HomeAsync(context),
            _ => InfoEndpoints.NotFoundAsync(context),
        });

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync();
            throw BindErrors.Explain(e, [.. tlsAddresses.Select(address => address.ToString())]);
        }

        var bound = BoundAddresses(app);
        boundTlsPort = bound.Tls.Select(uri => uri.Port).FirstOrDefault();
        foreach (var address in bound.Tls.Concat(bound.Plain))
        {
            Log.Listening(logger, address.ToString());
        }
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            var open = registry.CloseAll("server shutting down");
            Log.ShuttingDown(logger, open, Units.FormatDuration(options.ShutdownTimeout));
        });

        var reloader = new CertificateReloader(certificates.Certificates.Slots, time);
        reloader.Reloaded += outcome => LogReload(logger, exporter, outcome);
        if (options.Insecure)
        {
            warnings.Add(tlsAddresses.All(address => address.IsLoopback)
                ? "plain ws:// is served (--insecure): traffic on the HTTP port is NOT encrypted; for local development only"
                : "plain ws:// is served (--insecure) on addresses other machines can reach: traffic on the HTTP port is NOT encrypted and can be read and altered on the network; use it for local development only");
        }
        foreach (var warning in warnings)
        {
            Log.StartupWarning(logger, warning);
        }
        var report = new StartupReport(
            EchoUrls: [.. bound.Tls.Select(uri => PublicUrl("wss", uri, options, certificates) + InfoEndpoints.EchoPath).Distinct()],
            Addresses: [.. bound.Tls.Concat(bound.Plain).Select(uri => $"{uri.Host}:{uri.Port}")],
            PlainHttpUrl: bound.Plain.Select(uri => PublicUrl(options.Insecure ? "ws" : "http", uri, options, certificates)).FirstOrDefault(),
            Insecure: options.Insecure,
            Sites: certificates.Sites,
            DevelopmentCa: certificates.DevelopmentCa,
            Warnings: warnings,
            Tls: tls.Description);
        var server = new WssServer(app, reloader, keepAlive, report, logger);
        if (certificates.Acme is { } store)
        {
            // HTTP-01 when there is a plain HTTP port to answer on, else TLS-ALPN-01 on the TLS port.
            server.StartAcme(store, options, options.HttpPort is null ? validations : challenges, exporter.TrackAcmeOrders(), time);
        }
        return server;
    }

    /// <summary>Orders the domains' certificate in the background once the plain HTTP port answers challenges, and keeps it fresh.</summary>
    private void StartAcme(AcmeStore store, WssServerOptions options, AcmeChallenges challenges, Action<string> countOrder, TimeProvider time)
    {
        var http = _acmeHttp = AcmeHttp(options.AcmeCa);
        var account = store.LoadOrCreateAccountKey();
        _acme = new AcmeRenewer(store, () => new AcmeClient(http, new Uri(options.AcmeDirectory), account), options.AcmeEmail, challenges, time);
        var domains = string.Join(", ", store.Domains);
        _acme.Stored += certificate =>
        {
            countOrder("issued");
            Log.AcmeIssued(_logger, domains, certificate.Leaf.Issuer, certificate.NotAfter);
            ReloadCertificates();
        };
        _acme.Failed += (reason, wait) =>
        {
            countOrder("failed");
            Log.AcmeFailed(_logger, domains, reason, Math.Ceiling(wait.TotalSeconds));
        };
        _acme.Start();
    }

    /// <summary>HTTPS to the ACME server: the system's roots, or the one root given (a private or test CA).</summary>
    private static HttpClient AcmeHttp(string? caFile)
    {
        if (caFile is null)
        {
            return new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        }
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        return new HttpClient(new SocketsHttpHandler { SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = PrivateRoots.Validator(roots) } })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>Loads every certificate again now (what SIGHUP does); a broken file keeps the old certificate.</summary>
    public IReadOnlyList<ReloadOutcome> ReloadCertificates()
    {
        var outcomes = _reloader.ReloadAll();
        foreach (var outcome in outcomes)
        {
            Log.ReloadRequested(_logger, outcome.Slot, outcome.Status.ToString().ToLowerInvariant(), outcome.Current.SerialNumber);
        }
        return outcomes;
    }

    /// <summary>Stops: refuses new connections, closes open WebSockets with 1001 and waits up to the shutdown timeout.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _reloader.Dispose();
        if (_acme is not null)
        {
            await _acme.DisposeAsync();
            _acmeHttp?.Dispose();
        }
        await _app.StopAsync(cancellationToken);
        Log.Stopped(_logger);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!Completion.IsCompleted)
        {
            await StopAsync();
        }
        await _app.DisposeAsync();
        _keepAlive.Dispose();
    }

    private static void LogReload(ILogger logger, PrometheusExporter exporter, ReloadOutcome outcome)
    {
        switch (outcome.Status)
        {
            case ReloadStatus.Replaced:
                exporter.ReloadCounter(outcome.Slot, "replaced");
                var certificate = outcome.Current;
                Log.CertificateReplaced(logger, outcome.Slot, certificate.Leaf.Subject, certificate.SerialNumber, certificate.NotAfter, certificate.Fingerprint);
                foreach (var problem in outcome.Problems.Where(problem => problem.Severity == Certificates.Inspection.ProblemSeverity.Warning))
                {
                    Log.CertificateProblem(logger, outcome.Slot, problem.Message);
                }
                break;
            case ReloadStatus.Failed:
                exporter.ReloadCounter(outcome.Slot, "failed");
                Log.CertificateReloadFailed(logger, outcome.Slot, outcome.Error ?? "unknown error");
                break;
            default:
                exporter.ReloadCounter(outcome.Slot, "unchanged");
                Log.CertificateUnchanged(logger, outcome.Slot);
                break;
        }
    }

    private static void ConfigureLogging(ILoggingBuilder logging, WssServerOptions options, WssServerEnvironment environment, ServerMetrics metrics)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(options.LogLevel);
        // Kestrel and ASP.NET Core are chatty below warning; show them only when asked for debug logs.
        logging.AddFilter("Microsoft", options.LogLevel <= LogLevel.Debug ? options.LogLevel : LogLevel.Warning);
        // The host logs a failed start with its stack trace; the server reports it as one line instead.
        logging.AddFilter("Microsoft.Extensions.Hosting", options.LogLevel <= LogLevel.Debug ? options.LogLevel : LogLevel.None);
        // ASP.NET Core's request logging (request started/finished) is information-level only; while its category is
        // enabled at all, every request, each WebSocket upgrade included, also gets an Activity and a log scope that
        // live as long as the WebSocket: memory per idle connection and work per handshake, for nothing.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", options.LogLevel <= LogLevel.Debug ? options.LogLevel : LogLevel.None);
        logging.AddProvider(new TlsFailureCounter(metrics));
        logging.AddFilter<TlsFailureCounter>(TlsFailureCounter.Category, LogLevel.Debug);
        if (environment.ConfigureLogging is not null)
        {
            environment.ConfigureLogging(logging);
            return;
        }
        if (options.LogFormat == LogFormat.Json)
        {
            logging.AddJsonConsole(console =>
            {
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                console.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ ";
                console.UseUtcTimestamp = true;
            });
        }
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    private static List<ListenAddress> TlsAddresses(WssServerOptions options, List<string> warnings)
    {
        if (options.Listen.Count > 0)
        {
            return [.. options.Listen.Select(text => ListenAddress.TryParse(text, out var address) ? address : throw new ServerStartException($"not a listen address: {text}"))];
        }
        if (options.Port == 0)
        {
            return [new ListenAddress("127.0.0.1", 0)];
        }
        if (!Ipv6LoopbackWorks())
        {
            warnings.Add("IPv6 is not available on this machine: serving on 127.0.0.1 only");
            return [new ListenAddress("127.0.0.1", options.Port)];
        }
        return [new ListenAddress("127.0.0.1", options.Port), new ListenAddress("::1", options.Port)];
    }

    private static IEnumerable<ListenAddress> PlainAddresses(WssServerOptions options, List<ListenAddress> tlsAddresses)
    {
        var port = options.HttpPort ?? (options.Insecure ? 8080 : (int?)null);
        return port is null ? [] : tlsAddresses.Select(address => address.Host).Distinct().Select(host => new ListenAddress(host, port.Value));
    }

    private static void Listen(KestrelServerOptions kestrel, ListenAddress address, Action<ListenOptions> configure)
    {
        switch (address.Host)
        {
            case null:
                kestrel.ListenAnyIP(address.Port, configure);
                break;
            case "localhost":
                kestrel.ListenLocalhost(address.Port, configure);
                break;
            default:
                kestrel.Listen(IPAddress.Parse(address.Host), address.Port, configure);
                break;
        }
    }

    private static bool Ipv6LoopbackWorks()
    {
        try
        {
            using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetworkV6, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static (List<Uri> Tls, List<Uri> Plain) BoundAddresses(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(address => new Uri(address.Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal)))
            .ToList();
        return ([.. addresses.Where(uri => uri.Scheme == "https")], [.. addresses.Where(uri => uri.Scheme == "http")]);
    }

    /// <summary>
    /// The URL a client would use: the configured server name, else a name the certificate covers ("localhost"
    /// for loopback addresses), else the address itself.
    /// </summary>
    private static string PublicUrl(string scheme, Uri bound, WssServerOptions options, CertificateSetup.Loaded certificates)
    {
        var certificate = certificates.Certificates.Slots[0].Current;
        var isLoopback = IPAddress.TryParse(bound.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
        var host = options.ServerNames.FirstOrDefault()
            ?? (isLoopback && Certificates.SubjectNames.Covers(certificate.Leaf, "localhost") ? "localhost" : null)
            ?? certificate.Names.FirstOrDefault(name => !name.Contains('*', StringComparison.Ordinal) && !IPAddress.TryParse(name, out _) && !isLoopback)
            ?? bound.Host;
        var defaultPort = scheme is "wss" or "https" ? 443 : 80;
        return bound.Port == defaultPort ? $"{scheme}://{host}" : $"{scheme}://{host}:{bound.Port}";
    }
}
