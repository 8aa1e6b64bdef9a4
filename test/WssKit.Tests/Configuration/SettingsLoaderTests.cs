using WssKit.Server.Configuration;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Configuration;

public sealed class SettingsLoaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly Dictionary<string, string> _environment = [];
    private readonly Dictionary<string, IReadOnlyList<string>> _flags = [];

    public void Dispose() => _temp.Dispose();

    private EffectiveSettings Load(string? configPath = null, string? workingDirectory = null)
        => SettingsLoader.Load(configPath, name => _environment.GetValueOrDefault(name), _flags, workingDirectory ?? _temp.Path);

    private SettingException LoadFails(string? configPath = null) => Assert.Throws<SettingException>(() => Load(configPath));

    [Fact]
    public void Load_NothingGiven_DefaultsWithNoSources()
    {
        var settings = Load();

        Assert.Null(settings.ConfigFile);
        Assert.Empty(settings.Sources);
        Assert.Equal(8443, settings.Options.Port);
        Assert.Equal(1 << 20, settings.Options.MaxMessageSize);
    }

    [Fact]
    public void Load_AcmeSettings_DomainsEmailAndStagingDirectory()
    {
        _temp.Write("wss.json", """{ "domain": ["example.com", "www.example.com"], "acmeEmail": "ops@example.com" }""");
        _environment["WSS_ACME_STAGING"] = "true";

        var settings = Load();

        Assert.Equal(["example.com", "www.example.com"], settings.Options.Domains);
        Assert.Equal("ops@example.com", settings.Options.AcmeEmail);
        Assert.Equal(WssServerOptions.LetsEncryptStaging, settings.Options.AcmeDirectory);
    }

    [Fact]
    public void Load_AcmeDirectoryNotHttps_SaysWhatIsWrong()
    {
        _flags["acmeDirectory"] = ["http://ca.example/dir"];

        Assert.Contains("not an https:// URL of an ACME directory", LoadFails().Message);
    }

    [Fact]
    public void Load_FileOnly_FileValueWithFileOrigin()
    {
        _temp.Write("wss.json", """{ "port": 1000 }""");

        var settings = Load();

        Assert.Equal(1000, settings.Options.Port);
        Assert.Equal(SettingLayer.File, settings.Sources["port"].Layer);
        Assert.Equal("wss.json", settings.Sources["port"].Origin);
    }

    [Fact]
    public void Load_FileAndEnvironment_EnvironmentWins()
    {
        _temp.Write("wss.json", """{ "port": 1000 }""");
        _environment["WSS_PORT"] = "2000";

        var settings = Load();

        Assert.Equal(2000, settings.Options.Port);
        Assert.Equal(SettingLayer.Environment, settings.Sources["port"].Layer);
        Assert.Equal("WSS_PORT", settings.Sources["port"].Origin);
    }

    [Fact]
    public void Load_FileEnvironmentAndFlag_FlagWins()
    {
        _temp.Write("wss.json", """{ "port": 1000 }""");
        _environment["WSS_PORT"] = "2000";
        _flags["port"] = ["3000"];

        var settings = Load();

        Assert.Equal(3000, settings.Options.Port);
        Assert.Equal(SettingLayer.Flag, settings.Sources["port"].Layer);
        Assert.Equal("--port", settings.Sources["port"].Origin);
    }

    [Fact]
    public void Load_OneSettingPerLayer_SourcesRecordEachOrigin()
    {
        _temp.Write("wss.json", """{ "maxMessageSize": "64KiB" }""");
        _environment["WSS_IDLE_TIMEOUT"] = "5m";
        _flags["maxConnections"] = ["100"];

        var settings = Load();

        Assert.Equal(65536, settings.Options.MaxMessageSize);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.Options.IdleTimeout);
        Assert.Equal(100, settings.Options.MaxConnections);
        Assert.Equal(
            [("idleTimeout", "WSS_IDLE_TIMEOUT"), ("maxConnections", "--max-connections"), ("maxMessageSize", "wss.json")],
            settings.Sources.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (pair.Key, pair.Value.Origin)));
    }

    [Fact]
    public void Load_EmptyEnvironmentVariable_IsIgnored()
    {
        _environment["WSS_PORT"] = "";

        var settings = Load();

        Assert.Equal(8443, settings.Options.Port);
        Assert.False(settings.Sources.ContainsKey("port"));
    }

    [Fact]
    public void Load_RelativePathsInFile_ResolveAgainstTheFilesDirectory()
    {
        var config = _temp.Write("conf/wss.json", """{ "cert": "certs/fullchain.pem", "key": "../keys/key.pem" }""");

        var settings = Load(config, workingDirectory: _temp.File("elsewhere"));

        Assert.Equal(_temp.File("conf/certs/fullchain.pem"), settings.Options.Cert);
        Assert.Equal(_temp.File("keys/key.pem"), settings.Options.Key);
        Assert.Equal(config, settings.ConfigFile);
    }

    [Fact]
    public void Load_RelativePathsInFlags_ResolveAgainstTheWorkingDirectory()
    {
        _temp.Write("conf/wss.json", """{ "cert": "certs/fullchain.pem", "key": "certs/key.pem" }""");
        _flags["cert"] = ["mine/fullchain.pem"];
        _flags["key"] = ["mine/key.pem"];
        var workingDirectory = _temp.File("work");

        var settings = Load("../conf/wss.json", workingDirectory);

        Assert.Equal(_temp.File("conf/wss.json"), settings.ConfigFile);
        Assert.Equal(_temp.File("work/mine/fullchain.pem"), settings.Options.Cert);
        Assert.Equal(_temp.File("work/mine/key.pem"), settings.Options.Key);
    }

    [Fact]
    public void Load_UnknownKeyInFile_SuggestsTheClosestSetting()
    {
        _temp.Write("wss.json", """{ "maxMesageSize": "64KiB" }""");

        var exception = LoadFails();

        Assert.Equal("wss.json: unknown setting 'maxMesageSize'; did you mean 'maxMessageSize'? (the settings are listed in docs/configuration.md)", exception.Message);
    }

    [Fact]
    public void Load_UnknownKeyFarFromAnySetting_NoSuggestion()
    {
        _temp.Write("wss.json", """{ "colour": "blue" }""");

        var exception = LoadFails();

        Assert.Equal("wss.json: unknown setting 'colour' (the settings are listed in docs/configuration.md)", exception.Message);
    }

    [Fact]
    public void Load_InvalidJson_NamesFileLineAndColumn()
    {
        var path = _temp.Write("wss.json", "{\n  \"port\": 443\n  \"httpPort\": 80\n}\n");

        var exception = LoadFails();

        Assert.Equal($"{path} is not valid JSON at line 3, column 3: fix the syntax (comments and trailing commas are allowed)", exception.Message);
    }

    [Fact]
    public void Load_CommentsAndTrailingCommas_AreAccepted()
    {
        _temp.Write("wss.json", """
            {
              // the public port
              "port": 443, /* and the redirecting one */
              "httpPort": 80,
              "listen": ["0.0.0.0:443", "[::]:443",],
            }
            """);

        var settings = Load();

        Assert.Equal(443, settings.Options.Port);
        Assert.Equal(80, settings.Options.HttpPort);
        Assert.Equal(["0.0.0.0:443", "[::]:443"], settings.Options.Listen);
    }

    [Fact]
    public void Load_RootNotAnObject_ShowsAnExample()
    {
        var path = _temp.Write("wss.json", "[443]");

        var exception = LoadFails();

        Assert.Equal($"{path} must hold a JSON object of settings, such as {{\"port\": 443}}", exception.Message);
    }

    [Fact]
    public void Load_ListForSingleValuedSetting_IsRejected()
    {
        _temp.Write("wss.json", """{ "port": [443, 8443] }""");

        var exception = LoadFails();

        Assert.Equal("wss.json: port takes one value, not a list", exception.Message);
    }

    [Fact]
    public void Load_InvalidValueInFile_NamesSettingValueAndFile()
    {
        _temp.Write("wss.json", """{ "pingInterval": "10 parsecs" }""");

        var exception = LoadFails();

        Assert.Equal("pingInterval (--ping-interval, WSS_PING_INTERVAL) = '10 parsecs' from wss.json: not a duration; use a number with a unit: 500ms, 30s, 15m, 2h, 7d", exception.Message);
    }

    [Fact]
    public void Load_Sites_ReadsHostsCertKeyAndPfxWithPathsFromTheFilesDirectory()
    {
        _temp.Write("wss.json", """
            {
              "sites": [
                { "hosts": ["Chat.Example.com", "*.example.com"], "cert": "chat/fullchain.pem", "key": "chat/key.pem", "keyPasswordEnv": "CHAT_KEY_PASSWORD" },
                { "hosts": "api.example.org", "pfx": "api.pfx", "pfxPasswordFile": "api.pass" }
              ]
            }
            """);

        var settings = Load();

        var sites = settings.Options.Sites;
        Assert.Equal(2, sites.Count);
        Assert.Equal(["chat.example.com", "*.example.com"], sites[0].Hosts);
        Assert.Equal(_temp.File("chat/fullchain.pem"), sites[0].Cert);
        Assert.Equal(_temp.File("chat/key.pem"), sites[0].Key);
        Assert.Equal("CHAT_KEY_PASSWORD", sites[0].KeyPassword.EnvironmentVariable);
        Assert.Null(sites[0].Pfx);
        Assert.Equal(["api.example.org"], sites[1].Hosts);
        Assert.Equal(_temp.File("api.pfx"), sites[1].Pfx);
        Assert.Equal(_temp.File("api.pass"), sites[1].PfxPassword.FilePath);
        Assert.Equal("wss.json", settings.Sources["sites"].Origin);
    }

    [Fact]
    public void Load_UnknownSiteKey_NamesTheSiteSuggestsAndListsTheKeys()
    {
        _temp.Write("wss.json", """{ "sites": [ { "hosts": ["example.com"], "crt": "a.pem", "key": "a.key" } ] }""");

        var exception = LoadFails();

        Assert.Equal("wss.json: sites[0]: unknown key 'crt'; did you mean 'cert'?; a site has hosts, cert, key, keyPasswordFile, keyPasswordEnv, pfx, pfxPasswordFile, pfxPasswordEnv", exception.Message);
    }

    [Fact]
    public void Load_SitesNotAList_ShowsAnExample()
    {
        _temp.Write("wss.json", """{ "sites": { "hosts": ["example.com"] } }""");

        var exception = LoadFails();

        Assert.StartsWith("wss.json: sites must be a list of objects, such as [{\"hosts\": [\"example.com\"]", exception.Message);
    }

    [Fact]
    public void Load_SiteWithoutCertificate_FailsValidation()
    {
        _temp.Write("wss.json", """{ "sites": [ { "hosts": ["example.com"] } ] }""");

        var exception = LoadFails();

        Assert.Equal("sites[0] in the config file needs \"cert\" and \"key\" (PEM files) or \"pfx\"", exception.Message);
    }

    [Fact]
    public void Load_ListFromEnvironment_SplitsOnCommasAndTrims()
    {
        _environment["WSS_LISTEN"] = "0.0.0.0:443, [::]:443,";
        _environment["WSS_SERVER_NAMES"] = "Chat.Example.com,api.example.com";

        var settings = Load();

        Assert.Equal(["0.0.0.0:443", "[::]:443"], settings.Options.Listen);
        Assert.Equal(["chat.example.com", "api.example.com"], settings.Options.ServerNames);
        Assert.Equal("WSS_LISTEN", settings.Sources["listen"].Origin);
    }

    [Fact]
    public void Load_RepeatedListFlag_KeepsEveryValue()
    {
        _flags["listen"] = ["127.0.0.1:9443", ":10443,[::1]:11443"];

        var settings = Load();

        Assert.Equal(["127.0.0.1:9443", ":10443", "[::1]:11443"], settings.Options.Listen);
    }

    [Fact]
    public void Load_InvalidFlagValue_NamesTheFlag()
    {
        _flags["maxMessageSize"] = ["12x"];

        var exception = LoadFails();

        Assert.Equal("maxMessageSize (--max-message-size, WSS_MAX_MESSAGE_SIZE) = '12x' from --max-message-size: not a size; use a number of bytes or a unit, such as 64KiB or 1MiB", exception.Message);
    }

    [Fact]
    public void Load_TlsEngine_DefaultsToOpenSslAndAcceptsDotnetFromTheEnvironment()
    {
        Assert.Equal(TlsEngine.OpenSsl, Load().Options.TlsEngine);

        _environment["WSS_TLS_ENGINE"] = "DotNet";

        Assert.Equal(TlsEngine.DotNet, Load().Options.TlsEngine);
    }

    [Fact]
    public void Load_UnknownTlsEngine_NamesTheChoices()
    {
        _flags["tlsEngine"] = ["schannel"];

        var exception = LoadFails();

        Assert.Equal("tlsEngine (--tls-engine, WSS_TLS_ENGINE) = 'schannel' from --tls-engine: not a TLS engine; use openssl or dotnet", exception.Message);
    }

    [Fact]
    public void Load_MissingExplicitConfigFile_IsAnErrorNamingTheFileAndTheSettings()
    {
        var exception = LoadFails("missing.json");

        Assert.Equal($"the config file {_temp.File("missing.json")} does not exist: check --config / WSS_CONFIG, or create it (see docs/configuration.md)", exception.Message);
    }

    [Fact]
    public void Load_ConfigFileNamedByEnvironment_IsRead()
    {
        var config = _temp.Write("etc/server.json", """{ "port": 7443 }""");
        _environment["WSS_CONFIG"] = "etc/server.json";

        var settings = Load();

        Assert.Equal(config, settings.ConfigFile);
        Assert.Equal(7443, settings.Options.Port);
        Assert.Equal("server.json", settings.Sources["port"].Origin);
    }

    [Fact]
    public void Load_ImplicitConfigFilePresent_IsRead()
    {
        var config = _temp.Write("wss.json", """{ "logFormat": "json" }""");

        var settings = Load();

        Assert.Equal(config, settings.ConfigFile);
        Assert.Equal(LogFormat.Json, settings.Options.LogFormat);
    }

    [Fact]
    public void Load_InconsistentSettingsAcrossLayers_FailsValidation()
    {
        _temp.Write("wss.json", """{ "cert": "fullchain.pem" }""");

        var exception = LoadFails();

        Assert.Equal("cert (--cert, WSS_CERT) is set but key (--key, WSS_KEY) is not: give the certificate's private key too", exception.Message);
    }
}
