using WssKit.Certificates;
using WssKit.Certificates.Reload;
using WssKit.Server.Tls;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Tls;

public sealed class ServedCertificatesTests
{
    private static readonly TimeProvider Time = TimeProvider.System;

    private readonly CertificateSlot _default = LoadedSlot("default", "localhost");
    private readonly CertificateSlot _chat = LoadedSlot("chat.example.com", "chat.example.com");
    private readonly CertificateSlot _wildcard = LoadedSlot("*.example.org", "*.example.org");
    private readonly ServedCertificates _served;

    public ServedCertificatesTests()
        => _served = new ServedCertificates(_default, [(_chat, ["chat.example.com"]), (_wildcard, ["*.example.org"])]);

    private static CertificateSlot LoadedSlot(string name, string dnsName)
    {
        var leaf = TestCertificates.CreateLeaf([dnsName]);
        var slot = new CertificateSlot(name, new FixedSource(new ServerCertificate(leaf, [], "memory")), [], Time);
        slot.LoadInitial();
        return slot;
    }

    [Theory]
    [InlineData("chat.example.com")]
    [InlineData("CHAT.Example.COM")]
    public void SlotFor_ExactName_AnyCase_ThatSite(string serverName)
    {
        Assert.Same(_chat, _served.SlotFor(serverName));
    }

    [Theory]
    [InlineData("a.example.org")]
    [InlineData("API.EXAMPLE.ORG")]
    public void SlotFor_OneLabelUnderWildcard_TheWildcardSite(string serverName)
    {
        Assert.Same(_wildcard, _served.SlotFor(serverName));
    }

    [Theory]
    [InlineData("a.b.example.org")] // two labels deep
    [InlineData("example.org")] // the wildcard's own domain
    [InlineData("other.example.com")]
    [InlineData("unknown.test")]
    [InlineData("localhost")]
    [InlineData("")]
    [InlineData(null)]
    public void SlotFor_UnknownOrMissingName_TheDefault(string? serverName)
    {
        Assert.Same(_default, _served.SlotFor(serverName));
    }

    [Fact]
    public void Slots_DefaultFirstThenSitesInOrder()
    {
        Assert.Equal([_default, _chat, _wildcard], _served.Slots);
    }

    [Fact]
    public void Select_Name_OptionsCarryThatSitesCertificate()
    {
        var options = _served.Select("chat.example.com");

        Assert.Equal(_chat.Current.Leaf.Thumbprint, options.ServerCertificateContext!.TargetCertificate.Thumbprint);
        Assert.Equal(_default.Current.Leaf.Thumbprint, _served.Select(null).ServerCertificateContext!.TargetCertificate.Thumbprint);
    }

    [Fact]
    public void Select_AfterSlotReplaced_OptionsCarryTheNewCertificate()
    {
        var source = (FixedSource)_chat.Source;
        source.Certificate = new ServerCertificate(TestCertificates.CreateLeaf(["chat.example.com"]), [], "memory");

        Assert.Equal(ReloadStatus.Replaced, _chat.Reload().Status);

        Assert.Equal(source.Certificate.Leaf.Thumbprint, _served.Select("chat.example.com").ServerCertificateContext!.TargetCertificate.Thumbprint);
    }
}
