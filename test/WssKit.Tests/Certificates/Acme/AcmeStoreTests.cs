using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates;
using WssKit.Certificates.Acme;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Certificates.Acme;


/// <summary>ACME state in the data directory: the account key kept, certificates stored privately, one order at a time.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AcmeStoreTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void AccountKey_CreatedOnceWithMode0600_ThenReused()
    {
        var store = new AcmeStore(_data.Path, ["example.com"]);

        using var first = store.LoadOrCreateAccountKey();
        using var again = store.LoadOrCreateAccountKey();

        Assert.Equal(first.Thumbprint, again.Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_data.Path, "acme", "account.key")));
    }

    [Fact]
    public void Source_PlaceholderUntilSaved_ThenTheStoredChain()
    {
        var store = new AcmeStore(_data.Path, ["example.com", "www.example.com"]);
        var source = new AcmeSource(store);
        var root = TestCertificates.CreateAuthority("Test ACME Root");
        var leaf = TestCertificates.CreateLeaf(["example.com", "www.example.com"], root);

        var before = source.Load();
        store.Save(new ServerCertificate(leaf, [root], "test"));
        var after = source.Load();

        Assert.True(AcmeSource.IsPlaceholder(before));
        Assert.Equal(["example.com", "www.example.com"], before.Names);
        Assert.False(AcmeSource.IsPlaceholder(after));
        Assert.Equal(leaf.Thumbprint, after.Leaf.Thumbprint);
        Assert.Equal(root.Thumbprint, Assert.Single(after.Chain).Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.KeyPath));
        Assert.Equal([store.CertificatePath, store.KeyPath], source.WatchedFiles);
    }

    [Fact]
    public void Lock_HeldByOne_RefusedToAnother_FreeAgainOnceReleased()
    {
        var store = new AcmeStore(_data.Path, ["example.com"]);
        var other = new AcmeStore(_data.Path, ["example.com"]);

        using (var held = store.TryLock())
        {
            Assert.NotNull(held);
            Assert.Null(other.TryLock());
        }
        using var later = other.TryLock();

        Assert.NotNull(later);
    }
}
