using System.Diagnostics;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// nginx (Debian's) terminating TLS on a free loopback port and proxying WebSockets to a plain upstream, configured
/// as its documentation says (HTTP/1.1 upstream, Upgrade and Connection passed on). Stopped when disposed.
/// </summary>
public sealed class ReverseProxy(Process process, TempDirectory directory, int port) : LoopbackDaemon(process, directory, port)
{
    public string Url(string path = "/") => $"wss://127.0.0.1:{Port}{path}";

    public override string Log => File.Exists(Path.Combine(Directory, "error.log")) ? File.ReadAllText(Path.Combine(Directory, "error.log")) : "";

    /// <summary>nginx in front of <paramref name="upstreamPort"/>; <paramref name="passUpgrade"/> false leaves out the two headers WebSockets need, a common mistake.</summary>
    /// <remarks><paramref name="readTimeout"/> is nginx's proxy_read_timeout: how long a connection may go without data from the upstream.</remarks>
    public static async Task<ReverseProxy> StartAsync((string Cert, string Key) tls, int upstreamPort, bool passUpgrade = true, string readTimeout = "300s")
    {
        var upgradeHeaders = passUpgrade ? "proxy_set_header Upgrade $http_upgrade;\n      proxy_set_header Connection $connection_upgrade;" : "";
        var directory = new TempDirectory();
        var port = LoopbackPort.Free();
        var config = Path.Combine(directory.Path, "nginx.conf");
        var prefix = directory.Path;
        await File.WriteAllTextAsync(config, $$"""
            daemon off;
            master_process off;
            user root;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log info;
            events { worker_connections 256; }
            http {
              access_log off;
              client_body_temp_path {{prefix}}/body;
              proxy_temp_path {{prefix}}/proxy;
              fastcgi_temp_path {{prefix}}/fastcgi;
              uwsgi_temp_path {{prefix}}/uwsgi;
              scgi_temp_path {{prefix}}/scgi;
              map $http_upgrade $connection_upgrade { default upgrade; '' close; }
              server {
                listen 127.0.0.1:{{port}} ssl;
                ssl_certificate {{tls.Cert}};
                ssl_certificate_key {{tls.Key}};
                ssl_protocols TLSv1.2 TLSv1.3;
                location / {
                  proxy_pass http://127.0.0.1:{{upstreamPort}};
                  proxy_http_version 1.1;
                  {{upgradeHeaders}}
                  proxy_set_header Host $host;
                  proxy_read_timeout {{readTimeout}};
                }
              }
            }
            """);
        var proxy = new ReverseProxy(Launch("nginx", "-p", prefix, "-c", config, "-e", Path.Combine(prefix, "error.log")), directory, port);
        await proxy.EnsureListeningAsync();
        return proxy;
    }
}
