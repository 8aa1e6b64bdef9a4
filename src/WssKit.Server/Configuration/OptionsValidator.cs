using Microsoft.Extensions.Options;

namespace WssKit.Server.Configuration;

/// <summary>Checks that settings make sense together; each message names the settings and the fix.</summary>
public sealed class OptionsValidator : IValidateOptions<WssServerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, WssServerOptions options)
    {
        var problems = Validate(options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>The problems with these options, most important first.</summary>
    public static IEnumerable<string> Validate(WssServerOptions options)
    {
        string N(string key) => ServeSettings.Find(key).Names;

        if (options.Cert is not null && options.Key is null)
        {
            yield return $"{N("cert")} is set but {N("key")} is not: give the certificate's private key too";
        }
        if (options.Key is not null && options.Cert is null)
        {
            yield return $"{N("key")} is set but {N("cert")} is not: give the certificate chain too";
        }
        if (options.Pfx is not null && (options.Cert is not null || options.Key is not null))
        {
            yield return $"{N("pfx")} and {N("cert")}/{N("key")} are both set: give one or the other";
        }
        if (options.Domains.Count > 0 && (options.Cert is not null || options.Pfx is not null))
        {
            yield return $"{N("domain")} and {N("cert")}/{N("pfx")} are both set: the ACME CA issues the certificate for the domains; give one or the other";
        }
        if (options.HttpPort is { } httpPort && httpPort != 0 && TlsPorts(options).Contains(httpPort))
        {
            yield return $"{N("httpPort")} = {httpPort} is also the TLS port: choose another, such as 80 or 8080";
        }
        if (options.PingInterval > TimeSpan.Zero && options.PingTimeout <= TimeSpan.Zero)
        {
            yield return $"{N("pingTimeout")} must be more than zero while pings are on: use for example 30s, or set {N("pingInterval")} to 0";
        }
        var seenHosts = new HashSet<string>();
        for (var index = 0; index < options.Sites.Count; index++)
        {
            var site = options.Sites[index];
            var where = $"sites[{index}] in the config file";
            if (site.Pfx is null && (site.Cert is null || site.Key is null))
            {
                yield return $"{where} needs \"cert\" and \"key\" (PEM files) or \"pfx\"";
            }
            if (site.Pfx is not null && (site.Cert is not null || site.Key is not null))
            {
                yield return $"{where} has both \"pfx\" and \"cert\"/\"key\": give one or the other";
            }
            foreach (var host in site.Hosts)
            {
                var bare = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
                if (Uri.CheckHostName(bare) == UriHostNameType.Unknown)
                {
                    yield return $"{where} has the host '{host}', which is not a host name: use example.com or *.example.com";
                }
                if (!seenHosts.Add(host))
                {
                    yield return $"{where} repeats the host '{host}', already served by an earlier site: keep it in one site only";
                }
            }
        }
    }

    /// <summary>The TLS ports the options listen on.</summary>
    internal static IEnumerable<int> TlsPorts(WssServerOptions options)
        => options.Listen.Count == 0
            ? [options.Port]
            : options.Listen.Select(text => ListenAddress.TryParse(text, out var address) ? address.Port : -1);
}
