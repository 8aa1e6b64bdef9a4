using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using WssKit.Certificates.Reload;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Certificates.Reload;

public sealed class CertificateReloaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly X509Certificate2 _root = TestCertificates.CreateAuthority("Test Root");
    private readonly ConcurrentQueue<ReloadOutcome> _reloaded = new();
    private int _writes;

    public void Dispose() => _temp.Dispose();

    private CertificateSlot LoadedSlot(string name)
    {
        var source = new PemFilesSource(_temp.File($"{name}.pem"), _temp.File($"{name}.key"));
        WriteLeaf(source, name);
        var slot = new CertificateSlot(name, source, [name], _time);
        slot.LoadInitial();
        return slot;
    }

    private X509Certificate2 WriteLeaf(PemFilesSource source, string name)
    {
        var leaf = TestCertificates.CreateLeaf([name], _root);
        File.WriteAllText(source.CertificatePath, TestCertificates.CertificatesPem(leaf, _root));
        File.WriteAllText(source.KeyPath, TestCertificates.KeyPem(leaf));
        // Whatever the file system's timestamp resolution, the files look changed.
        File.SetLastWriteTimeUtc(source.CertificatePath, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(++_writes));
        return leaf;
    }

    private CertificateReloader Reloader(params CertificateSlot[] slots)
    {
        var reloader = new CertificateReloader(slots, _time);
        reloader.Reloaded += _reloaded.Enqueue;
        return reloader;
    }

    [Fact]
    public void Poll_FilesChanged_ReplacesTheSlotAndRaisesReloaded()
    {
        var slot = LoadedSlot("a.example.com");
        using var reloader = Reloader(slot);
        var renewed = WriteLeaf((PemFilesSource)slot.Source, "a.example.com");

        _time.Advance(CertificateReloader.PollInterval);

        Assert.Equal(renewed.Thumbprint, slot.Current.Leaf.Thumbprint);
        var outcome = Assert.Single(_reloaded);
        Assert.Equal(ReloadStatus.Replaced, outcome.Status);
        Assert.Equal("a.example.com", outcome.Slot);
    }

    [Fact]
    public void Poll_OnlyTheChangedSlot_IsReloaded()
    {
        var changed = LoadedSlot("a.example.com");
        var untouched = LoadedSlot("b.example.com");
        var before = untouched.Current;
        using var reloader = Reloader(changed, untouched);
        WriteLeaf((PemFilesSource)changed.Source, "a.example.com");

        _time.Advance(CertificateReloader.PollInterval);

        Assert.Equal(["a.example.com"], _reloaded.Select(outcome => outcome.Slot));
        Assert.Same(before, untouched.Current);
    }

    [Fact]
    public void Poll_FilesReplacedKeepingTheirModificationTimes_IsStillReloaded()
    {
        var slot = LoadedSlot("a.example.com");
        var source = (PemFilesSource)slot.Source;
        var times = source.WatchedFiles.Select(File.GetLastWriteTimeUtc).ToList();
        using var reloader = Reloader(slot);
        var renewed = WriteLeaf(source, "a.example.com");
        // As `cp -p` or `rsync -t` leave them.
        foreach (var (file, time) in source.WatchedFiles.Zip(times))
        {
            File.SetLastWriteTimeUtc(file, time);
        }

        _time.Advance(CertificateReloader.PollInterval);

        Assert.Equal(renewed.Thumbprint, slot.Current.Leaf.Thumbprint);
    }

    [Fact]
    public void Poll_NothingChanged_RaisesNothing()
    {
        var slot = LoadedSlot("a.example.com");
        var before = slot.Current;
        using var reloader = Reloader(slot);

        _time.Advance(CertificateReloader.PollInterval * 3);

        Assert.Empty(_reloaded);
        Assert.Same(before, slot.Current);
    }

    [Fact]
    public void Poll_BrokenFile_FailedOnceThenNotRetriedUntilItChanges()
    {
        var slot = LoadedSlot("a.example.com");
        var before = slot.Current;
        using var reloader = Reloader(slot);
        File.WriteAllText(slot.Source.WatchedFiles[0], "not a certificate");

        _time.Advance(CertificateReloader.PollInterval);
        _time.Advance(CertificateReloader.PollInterval);

        var outcome = Assert.Single(_reloaded);
        Assert.Equal(ReloadStatus.Failed, outcome.Status);
        Assert.Same(before, slot.Current);
    }

    [Fact]
    public void ReloadAll_NothingChanged_ReloadsEverySlotAsUnchanged()
    {
        var a = LoadedSlot("a.example.com");
        var b = LoadedSlot("b.example.com");
        using var reloader = Reloader(a, b);

        var outcomes = reloader.ReloadAll();

        Assert.Equal([("a.example.com", ReloadStatus.Unchanged), ("b.example.com", ReloadStatus.Unchanged)],
            outcomes.Select(outcome => (outcome.Slot, outcome.Status)));
        Assert.Equal(2, _reloaded.Count);
    }

    [Fact]
    public void ReloadAll_FilesChanged_ReplacesWithoutWaitingForThePoll()
    {
        var slot = LoadedSlot("a.example.com");
        using var reloader = Reloader(slot);
        var renewed = WriteLeaf((PemFilesSource)slot.Source, "a.example.com");

        var outcome = Assert.Single(reloader.ReloadAll());

        Assert.Equal(ReloadStatus.Replaced, outcome.Status);
        Assert.Equal(renewed.Thumbprint, slot.Current.Leaf.Thumbprint);
        Assert.Equal(ReloadStatus.Replaced, Assert.Single(_reloaded).Status);
    }

    [Fact]
    public void Poll_DevelopmentLeafPastTwoThirdsOfItsLife_IsRenewedWithoutAnyFileChange()
    {
        var authority = WssKit.Certificates.DevCa.DevelopmentAuthority.LoadOrCreate(_temp.File("data"), _time);
        var slot = new CertificateSlot("default", new DevelopmentSource(authority, ["localhost"]), ["localhost"], _time,
            [X509CertificateLoader.LoadCertificate(authority.Certificate.RawData)]);
        slot.LoadInitial();
        var first = slot.Current;
        using var reloader = Reloader(slot);

        _time.Advance(TimeSpan.FromDays(4));
        Assert.Same(first, slot.Current);
        _time.Advance(TimeSpan.FromDays(1));

        Assert.NotEqual(first.SerialNumber, slot.Current.SerialNumber);
        Assert.True(slot.Current.NotAfter > first.NotAfter.AddDays(4));
        Assert.Equal(ReloadStatus.Replaced, Assert.Single(_reloaded).Status);
    }
}
