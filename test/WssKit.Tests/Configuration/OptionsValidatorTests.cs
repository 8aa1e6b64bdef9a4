using WssKit.Server.Configuration;

namespace WssKit.Tests.Configuration;

public sealed class OptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_FindsNothing()
    {
        Assert.Empty(OptionsValidator.Validate(new WssServerOptions()));
    }

    [Fact]
    public void Validate_DomainWithoutHttpPort_FindsNothing_TlsAlpnNeedsNoPlainPort()
    {
        Assert.Empty(OptionsValidator.Validate(new WssServerOptions { Domains = ["example.com"] }));
    }

    [Fact]
    public void Validate_DomainWithCert_AsksForOneOrTheOther()
    {
        var options = new WssServerOptions { Domains = ["example.com"], HttpPort = 80, Cert = "/certs/fullchain.pem", Key = "/certs/key.pem" };

        Assert.StartsWith("domain (--domain, WSS_DOMAIN) and cert (--cert, WSS_CERT)/pfx (--pfx, WSS_PFX) are both set", Assert.Single(OptionsValidator.Validate(options)));
    }

    [Fact]
    public void Validate_CertWithoutKey_NamesBothSettingsAndAsksForKey()
    {
        var problems = OptionsValidator.Validate(new WssServerOptions { Cert = "/certs/fullchain.pem" }).ToList();

        var problem = Assert.Single(problems);
        Assert.Equal("cert (--cert, WSS_CERT) is set but key (--key, WSS_KEY) is not: give the certificate's private key too", problem);
    }

    [Fact]
    public void Validate_KeyWithoutCert_NamesBothSettingsAndAsksForChain()
    {
        var problem = Assert.Single(OptionsValidator.Validate(new WssServerOptions { Key = "/certs/key.pem" }));

        Assert.Equal("key (--key, WSS_KEY) is set but cert (--cert, WSS_CERT) is not: give the certificate chain too", problem);
    }

    [Fact]
    public void Validate_PfxWithCert_AsksForOneOrTheOther()
    {
        var options = new WssServerOptions { Pfx = "/certs/site.pfx", Cert = "/certs/fullchain.pem", Key = "/certs/key.pem" };

        var problem = Assert.Single(OptionsValidator.Validate(options));

        Assert.Equal("pfx (--pfx, WSS_PFX) and cert (--cert, WSS_CERT)/key (--key, WSS_KEY) are both set: give one or the other", problem);
    }

    [Fact]
    public void Validate_HttpPortEqualsPort_AsksForAnotherPort()
    {
        var problem = Assert.Single(OptionsValidator.Validate(new WssServerOptions { Port = 8443, HttpPort = 8443 }));

        Assert.Equal("httpPort (--http-port, WSS_HTTP_PORT) = 8443 is also the TLS port: choose another, such as 80 or 8080", problem);
    }

    [Fact]
    public void Validate_HttpPortEqualsListenPort_AsksForAnotherPort()
    {
        var options = new WssServerOptions { Port = 8443, Listen = ["0.0.0.0:443"], HttpPort = 443 };

        var problem = Assert.Single(OptionsValidator.Validate(options));

        Assert.StartsWith("httpPort (--http-port, WSS_HTTP_PORT) = 443 is also the TLS port", problem);
    }

    [Fact]
    public void Validate_HttpPortOnlyEqualToUnusedPortSetting_FindsNothing()
    {
        // With --listen, --port is not used, so it cannot clash.
        var options = new WssServerOptions { Port = 8080, Listen = ["0.0.0.0:443"], HttpPort = 8080 };

        Assert.Empty(OptionsValidator.Validate(options));
    }

    [Fact]
    public void Validate_PingTimeoutZeroWhilePingsOn_NamesBothSettingsAndFixes()
    {
        var options = new WssServerOptions { PingInterval = TimeSpan.FromSeconds(30), PingTimeout = TimeSpan.Zero };

        var problem = Assert.Single(OptionsValidator.Validate(options));

        Assert.Equal("pingTimeout (--ping-timeout, WSS_PING_TIMEOUT) must be more than zero while pings are on: use for example 30s, or set pingInterval (--ping-interval, WSS_PING_INTERVAL) to 0", problem);
    }

    [Fact]
    public void Validate_PingTimeoutZeroWithPingsOff_FindsNothing()
    {
        var options = new WssServerOptions { PingInterval = TimeSpan.Zero, PingTimeout = TimeSpan.Zero };

        Assert.Empty(OptionsValidator.Validate(options));
    }

    [Fact]
    public void Validate_SiteWithoutCert_NamesTheSiteAndWhatItNeeds()
    {
        var options = new WssServerOptions { Sites = [new SiteOptions { Hosts = ["example.com"], Key = "/certs/key.pem" }] };

        var problem = Assert.Single(OptionsValidator.Validate(options));

        Assert.Equal("sites[0] in the config file needs \"cert\" and \"key\" (PEM files) or \"pfx\"", problem);
    }

    [Fact]
    public void Validate_SiteWithPfxAndCert_AsksForOneOrTheOther()
    {
        var options = new WssServerOptions { Sites = [new SiteOptions { Hosts = ["example.com"], Pfx = "/a.pfx", Cert = "/a.pem", Key = "/a.key" }] };

        var problem = Assert.Single(OptionsValidator.Validate(options));

        Assert.Equal("sites[0] in the config file has both \"pfx\" and \"cert\"/\"key\": give one or the other", problem);
    }

    [Fact]
    public void Validate_DuplicateSiteHost_NamesTheLaterSiteAndTheHost()
    {
        var options = new WssServerOptions
        {
            Sites =
            [
                new SiteOptions { Hosts = ["a.example.com", "b.example.com"], Pfx = "/a.pfx" },
                new SiteOptions { Hosts = ["b.example.com"], Pfx = "/b.pfx" },
            ],
        };

        var problem = Assert.Single(OptionsValidator.Validate(options));

        Assert.Equal("sites[1] in the config file repeats the host 'b.example.com', already served by an earlier site: keep it in one site only", problem);
    }

    [Theory]
    [InlineData("not a host")]
    [InlineData("exa$mple.com")]
    [InlineData("*.")]
    public void Validate_BadSiteHost_NamesTheHostAndShowsValidForms(string host)
    {
        var options = new WssServerOptions { Sites = [new SiteOptions { Hosts = [host], Pfx = "/a.pfx" }] };

        var problem = Assert.Single(OptionsValidator.Validate(options));

        Assert.Equal($"sites[0] in the config file has the host '{host}', which is not a host name: use example.com or *.example.com", problem);
    }

    [Fact]
    public void Validate_WildcardSiteHost_FindsNothing()
    {
        var options = new WssServerOptions { Sites = [new SiteOptions { Hosts = ["*.example.com", "example.com"], Pfx = "/a.pfx" }] };

        Assert.Empty(OptionsValidator.Validate(options));
    }
}
