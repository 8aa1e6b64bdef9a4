using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using WssKit.Certificates;
using WssKit.Certificates.Reload;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Certificates.Reload;

public sealed class CertificateSlotTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly X509Certificate2 _root = TestCertificates.CreateAuthority("Test Root", notBefore: DateTimeOffset.UtcNow.AddYears(-2));
    private readonly PemFilesSource _source;

    public CertificateSlotTests() => _source = new PemFilesSource(_temp.File("fullchain.pem"), _temp.File("key.pem"));

    public void Dispose() => _temp.Dispose();

    private X509Certificate2 WriteLeaf(DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"], _root, notBefore: notBefore, notAfter: notAfter);
        File.WriteAllText(_source.CertificatePath, TestCertificates.CertificatesPem(leaf, _root));
        File.WriteAllText(_source.KeyPath, TestCertificates.KeyPem(leaf));
        return leaf;
    }

    private CertificateSlot Slot() => new("default", _source, ["example.com"], _time);

    [Fact]
    public void Current_BeforeLoadInitial_ThrowsNamingTheSlot()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => Slot().Current);

        Assert.Equal("the certificate slot default has not been loaded", exception.Message);
    }

    [Fact]
    public void LoadInitial_GoodCertificate_ServesItAndReturnsNoProblems()
    {
        var leaf = WriteLeaf();
        var slot = Slot();

        var problems = slot.LoadInitial();

        Assert.Empty(problems);
        Assert.Equal(leaf.Thumbprint, slot.Current.Leaf.Thumbprint);
    }

    [Fact]
    public void LoadInitial_ExpiredCertificate_ThrowsTheExpiryMessage()
    {
        WriteLeaf(notBefore: _time.GetUtcNow().AddDays(-100), notAfter: _time.GetUtcNow().AddDays(-10));
        var slot = Slot();

        var exception = Assert.Throws<CertificateException>(slot.LoadInitial);

        Assert.Contains("expired on", exception.Message);
        Assert.Contains("renew it", exception.Message);
        Assert.Throws<InvalidOperationException>(() => slot.Current);
    }

    [Fact]
    public void LoadInitial_WrongHostName_ThrowsTheMismatchMessage()
    {
        WriteLeaf();
        var slot = new CertificateSlot("default", _source, ["chat.example.org"], _time);

        var exception = Assert.Throws<CertificateException>(slot.LoadInitial);

        Assert.StartsWith("the certificate example.com from ", exception.Message);
        Assert.Contains("does not cover chat.example.org (it covers example.com)", exception.Message);
    }

    [Fact]
    public void Reload_SameFiles_Unchanged()
    {
        var leaf = WriteLeaf();
        var slot = Slot();
        slot.LoadInitial();
        var replaced = 0;
        slot.Replaced += _ => replaced++;

        var outcome = slot.Reload();

        Assert.Equal(ReloadStatus.Unchanged, outcome.Status);
        Assert.Equal("default", outcome.Slot);
        Assert.Equal(leaf.Thumbprint, outcome.Current.Leaf.Thumbprint);
        Assert.Null(outcome.Error);
        Assert.Equal(0, replaced);
    }

    [Fact]
    public void Reload_NewFiles_ReplacedAndRaisesReplaced()
    {
        WriteLeaf();
        var slot = Slot();
        slot.LoadInitial();
        CertificateSlot? raisedBy = null;
        slot.Replaced += replaced => raisedBy = replaced;
        var renewed = WriteLeaf();

        var outcome = slot.Reload();

        Assert.Equal(ReloadStatus.Replaced, outcome.Status);
        Assert.Equal(renewed.Thumbprint, outcome.Current.Leaf.Thumbprint);
        Assert.Equal(renewed.Thumbprint, slot.Current.Leaf.Thumbprint);
        Assert.Same(slot, raisedBy);
        Assert.Null(outcome.Error);
    }

    [Fact]
    public void Reload_BrokenFile_FailedAndKeepsServingTheOldCertificate()
    {
        var leaf = WriteLeaf();
        var slot = Slot();
        slot.LoadInitial();
        var replaced = 0;
        slot.Replaced += _ => replaced++;
        File.WriteAllText(_source.CertificatePath, "-----BEGIN CERTIFICATE-----\nhalf written");

        var outcome = slot.Reload();

        Assert.Equal(ReloadStatus.Failed, outcome.Status);
        Assert.Equal(leaf.Thumbprint, outcome.Current.Leaf.Thumbprint);
        Assert.Equal(leaf.Thumbprint, slot.Current.Leaf.Thumbprint);
        Assert.StartsWith($"the certificate file {_source.CertificatePath}", outcome.Error);
        Assert.Equal(0, replaced);
    }

    [Fact]
    public void Reload_ExpiredReplacement_FailedWithProblemsAndKeepsTheOldCertificate()
    {
        var leaf = WriteLeaf();
        var slot = Slot();
        slot.LoadInitial();
        WriteLeaf(notBefore: _time.GetUtcNow().AddDays(-100), notAfter: _time.GetUtcNow().AddDays(-1));

        var outcome = slot.Reload();

        Assert.Equal(ReloadStatus.Failed, outcome.Status);
        Assert.Equal(leaf.Thumbprint, slot.Current.Leaf.Thumbprint);
        Assert.Equal("cert-expired", Assert.Single(outcome.Problems).Code);
        Assert.Contains("expired on", outcome.Error);
    }

    [Fact]
    public void RenewalDue_FileSource_NeverDueBecauseFilesDoNotRenewThemselves()
    {
        WriteLeaf();
        var slot = Slot();
        slot.LoadInitial();

        _time.Advance(TimeSpan.FromDays(80));

        Assert.False(slot.RenewalDue);
    }

    [Fact]
    public void RenewalDue_SelfRenewingSourcePastTwoThirds_IsDue()
    {
        var authority = WssKit.Certificates.DevCa.DevelopmentAuthority.LoadOrCreate(_temp.File("data"), _time);
        var slot = new CertificateSlot("default", new DevelopmentSource(authority, ["localhost"]), ["localhost"], _time,
            [X509CertificateLoader.LoadCertificate(authority.Certificate.RawData)]);
        slot.LoadInitial();
        Assert.False(slot.RenewalDue);

        _time.Advance(TimeSpan.FromDays(5));

        Assert.True(slot.RenewalDue);
        Assert.Equal(ReloadStatus.Replaced, slot.Reload().Status);
        Assert.False(slot.RenewalDue);
    }
}
