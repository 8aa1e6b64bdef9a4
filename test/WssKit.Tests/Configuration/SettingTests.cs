using WssKit.Server.Configuration;

namespace WssKit.Tests.Configuration;

public sealed class SettingTests
{
    [Theory]
    [InlineData("maxConnectionsPerIp", "--max-connections-per-ip", "WSS_MAX_CONNECTIONS_PER_IP")]
    [InlineData("port", "--port", "WSS_PORT")]
    [InlineData("httpPort", "--http-port", "WSS_HTTP_PORT")]
    [InlineData("dataDir", "--data-dir", "WSS_DATA_DIR")]
    [InlineData("keyPasswordEnv", "--key-password-env", "WSS_KEY_PASSWORD_ENV")]
    public void FlagAndEnvironmentVariable_DerivedFromKey_AreKebabAndUpperSnake(string key, string flag, string variable)
    {
        var setting = ServeSettings.Find(key);

        Assert.Equal(flag, setting.Flag);
        Assert.Equal(variable, setting.EnvironmentVariable);
    }

    [Fact]
    public void Names_CommandLineSetting_ListsAllThreeSpellings()
    {
        Assert.Equal("maxMessageSize (--max-message-size, WSS_MAX_MESSAGE_SIZE)", ServeSettings.Find("maxMessageSize").Names);
    }

    [Fact]
    public void Names_FileOnlySetting_PointsToTheConfigFile()
    {
        Assert.Equal("sites (in the config file)", ServeSettings.Find("sites").Names);
    }

    [Fact]
    public void All_EverySpelling_IsUnique()
    {
        var settings = ServeSettings.All;

        Assert.Equal(settings.Count, settings.Select(setting => setting.Key).Distinct().Count());
        Assert.Equal(settings.Count, settings.Select(setting => setting.Flag).Distinct().Count());
        Assert.Equal(settings.Count, settings.Select(setting => setting.EnvironmentVariable).Distinct().Count());
    }

    [Fact]
    public void Invalid_ValueFromFlag_NamesSettingValueOriginAndFix()
    {
        var setting = ServeSettings.Find("port");
        var input = new SettingInput(["http"], SettingLayer.Flag, "--port", "/tmp");

        var exception = Assert.Throws<SettingException>(() => setting.Apply(setting, new WssServerOptions(), input));

        Assert.Equal("port (--port, WSS_PORT) = 'http' from --port: not a port; use a number from 1 to 65535 (0 picks a free port)", exception.Message);
    }
}
