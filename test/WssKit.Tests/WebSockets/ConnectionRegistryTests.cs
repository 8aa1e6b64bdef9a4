using System.Net;
using WssKit.Server.Configuration;
using WssKit.Server.Metrics;
using WssKit.Server.WebSockets;

namespace WssKit.Tests.WebSockets;

public sealed class ConnectionRegistryTests
{
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress OtherClient = IPAddress.Parse("203.0.113.8");

    private static ConnectionRegistry Registry(int maxConnections = 100, int maxPerIp = 100, IList<string>? exempt = null)
    {
        var options = new WssServerOptions { MaxConnections = maxConnections, MaxConnectionsPerIp = maxPerIp };
        if (exempt is not null)
        {
            options.PerIpLimitExempt = exempt;
        }
        return new ConnectionRegistry(options, new ServerMetrics());
    }

    [Fact]
    public void TryReserve_UnderTheLimits_Allowed()
    {
        var registry = Registry(maxConnections: 2, maxPerIp: 2);

        Assert.Null(registry.TryReserve(Client));
        Assert.Null(registry.TryReserve(Client));
    }

    [Fact]
    public void TryReserve_TotalLimitReached_MaxConnections()
    {
        var registry = Registry(maxConnections: 2, maxPerIp: 10);
        registry.TryReserve(Client);
        registry.TryReserve(OtherClient);

        Assert.Equal("max-connections", registry.TryReserve(IPAddress.Parse("198.51.100.1")));
    }

    [Fact]
    public void TryReserve_PerIpLimitReached_MaxConnectionsPerIpForThatAddressOnly()
    {
        var registry = Registry(maxConnections: 10, maxPerIp: 2);
        registry.TryReserve(Client);
        registry.TryReserve(Client);

        Assert.Equal("max-connections-per-ip", registry.TryReserve(Client));
        Assert.Null(registry.TryReserve(OtherClient));
    }

    [Fact]
    public void TryReserve_RefusedPerIp_DoesNotUseATotalSlot()
    {
        var registry = Registry(maxConnections: 2, maxPerIp: 1);
        registry.TryReserve(Client);
        Assert.Equal("max-connections-per-ip", registry.TryReserve(Client));

        Assert.Null(registry.TryReserve(OtherClient));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void TryReserve_LoopbackByDefault_ExemptFromPerIpLimit(string address)
    {
        var registry = Registry(maxConnections: 10, maxPerIp: 1);
        var loopback = IPAddress.Parse(address);

        Assert.Null(registry.TryReserve(loopback));
        Assert.Null(registry.TryReserve(loopback));
        Assert.Null(registry.TryReserve(loopback));
    }

    [Fact]
    public void TryReserve_ExemptionRemoved_LoopbackLimitedToo()
    {
        var registry = Registry(maxConnections: 10, maxPerIp: 1, exempt: []);

        Assert.Null(registry.TryReserve(IPAddress.Loopback));
        Assert.Equal("max-connections-per-ip", registry.TryReserve(IPAddress.Loopback));
    }

    [Fact]
    public void TryReserve_ExemptNetwork_NotLimitedPerIp()
    {
        var registry = Registry(maxConnections: 10, maxPerIp: 1, exempt: ["10.0.0.0/8"]);
        var proxy = IPAddress.Parse("10.1.2.3");

        Assert.Null(registry.TryReserve(proxy));
        Assert.Null(registry.TryReserve(proxy));
    }

    [Fact]
    public void TryReserve_IPv4MappedIPv6_CountedAsTheIPv4Address()
    {
        var registry = Registry(maxConnections: 10, maxPerIp: 2);
        registry.TryReserve(Client);
        registry.TryReserve(Client.MapToIPv6());

        Assert.Equal("max-connections-per-ip", registry.TryReserve(Client));
        Assert.Equal("max-connections-per-ip", registry.TryReserve(Client.MapToIPv6()));
    }

    [Fact]
    public void TryReserve_PerIpLimitZero_NoPerIpLimit()
    {
        var registry = Registry(maxConnections: 3, maxPerIp: 0);

        Assert.Null(registry.TryReserve(Client));
        Assert.Null(registry.TryReserve(Client));
        Assert.Null(registry.TryReserve(Client));
        Assert.Equal("max-connections", registry.TryReserve(Client));
    }

    [Fact]
    public void Release_PerIpSlot_AllowsThatAddressAgain()
    {
        var registry = Registry(maxConnections: 10, maxPerIp: 1);
        registry.TryReserve(Client);
        Assert.Equal("max-connections-per-ip", registry.TryReserve(Client));

        registry.Release(Client);

        Assert.Null(registry.TryReserve(Client));
    }

    [Fact]
    public void Release_TotalSlot_AllowsAnotherConnection()
    {
        var registry = Registry(maxConnections: 1, maxPerIp: 10);
        registry.TryReserve(Client);
        Assert.Equal("max-connections", registry.TryReserve(OtherClient));

        registry.Release(Client);

        Assert.Null(registry.TryReserve(OtherClient));
    }

    [Fact]
    public void Release_MappedAddress_FreesTheIPv4Slot()
    {
        var registry = Registry(maxConnections: 10, maxPerIp: 1);
        registry.TryReserve(Client.MapToIPv6());

        registry.Release(Client);

        Assert.Null(registry.TryReserve(Client));
    }

    [Fact]
    public void CloseAll_ThenTryReserve_ShuttingDown()
    {
        var registry = Registry();

        Assert.Equal(0, registry.CloseAll("server shutting down"));

        Assert.True(registry.Closing);
        Assert.Equal("shutting-down", registry.TryReserve(Client));
    }

    [Fact]
    public void CloseAll_UpgradeUnderWay_CountedAmongTheClosed()
    {
        var registry = Registry();
        registry.TryReserve(Client);
        registry.TryReserve(OtherClient);

        Assert.Equal(2, registry.CloseAll("server shutting down"));
    }
}
