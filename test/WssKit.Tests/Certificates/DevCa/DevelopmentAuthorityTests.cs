using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using WssKit.Certificates;
using WssKit.Certificates.DevCa;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Certificates.DevCa;

public sealed class DevelopmentAuthorityTests : IDisposable
{
    private const string NameConstraintsOid = "2.5.29.30";

    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public void Dispose() => _temp.Dispose();

    private string DataDirectory => _temp.File("data");

    // The key files' modes are the point of these checks; Windows has no such modes.
    private static UnixFileMode ModeOf(string path)
        => OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException("Unix file modes") : File.GetUnixFileMode(path);

    private X509ChainStatusFlags ChainStatus(DevelopmentAuthority authority, ServerCertificate leaf)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(authority.CertificatePath));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.Build(leaf.Leaf);
        return chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (flags, status) => flags | status.Status);
    }

    [Fact]
    public void LoadOrCreate_EmptyDirectory_CreatesCaFilesWithOwnerOnlyKey()
    {
        var authority = DevelopmentAuthority.LoadOrCreate(DataDirectory, _time);

        Assert.True(authority.Created);
        Assert.Equal(Path.Combine(DataDirectory, "dev-ca.pem"), authority.CertificatePath);
        Assert.True(File.Exists(Path.Combine(DataDirectory, "dev-ca.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(Path.Combine(DataDirectory, "dev-ca.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, ModeOf(DataDirectory));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(DataDirectory, "dev-ca.key")));
        Assert.Equal(authority.ExportPem(), File.ReadAllText(authority.CertificatePath));
    }

    [Fact]
    public void LoadOrCreate_NewAuthority_IsAConstrainedCa()
    {
        var authority = DevelopmentAuthority.LoadOrCreate(DataDirectory, _time);

        var certificate = authority.Certificate;
        var basicConstraints = Assert.Single(certificate.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(basicConstraints.CertificateAuthority);
        var nameConstraints = certificate.Extensions[NameConstraintsOid];
        Assert.NotNull(nameConstraints);
        Assert.True(nameConstraints.Critical);
        Assert.Equal("localhost", authority.PermittedNames[0]);
        Assert.Equal(DevelopmentAuthority.LocalNames().Where(name => !System.Net.IPAddress.TryParse(name, out _)), authority.PermittedNames);
        Assert.Equal(_time.GetUtcNow().Add(DevelopmentAuthority.AuthorityLifetime).UtcDateTime, certificate.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void LoadOrCreate_SecondTime_LoadsTheSameAuthority()
    {
        var first = DevelopmentAuthority.LoadOrCreate(DataDirectory, _time);

        var second = DevelopmentAuthority.LoadOrCreate(DataDirectory, _time);

        Assert.False(second.Created);
        Assert.Equal(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
        Assert.True(second.Certificate.HasPrivateKey);
    }

    [Fact]
    public void LoadOrCreate_DamagedCertificateFile_NamesTheFilesToDelete()
    {
        DevelopmentAuthority.LoadOrCreate(DataDirectory, _time);
        var certificatePath = Path.Combine(DataDirectory, "dev-ca.pem");
        var keyPath = Path.Combine(DataDirectory, "dev-ca.key");
        File.WriteAllText(certificatePath, "-----BEGIN CERTIFICATE-----\ngarbage\n");

        var exception = Assert.Throws<CertificateException>(() => DevelopmentAuthority.LoadOrCreate(DataDirectory, _time));

        Assert.StartsWith($"the development CA in {DataDirectory} is damaged (", exception.Message);
        Assert.EndsWith($": delete {certificatePath} and {keyPath} to create a new one (clients must then trust the new one)", exception.Message);
    }

    [Fact]
    public void LoadOrCreate_DataDirectoryIsAFile_NamesTheSettingToChange()
    {
        var blocker = _temp.Write("blocker", "not a directory");

        var exception = Assert.Throws<CertificateException>(() => DevelopmentAuthority.LoadOrCreate(Path.Combine(blocker, "data"), _time));

        Assert.StartsWith($"cannot create the data directory {Path.Combine(blocker, "data")}: ", exception.Message);
        Assert.EndsWith("(set --data-dir or WSS_DATA_DIR to a writable directory)", exception.Message);
    }

    [Fact]
    public void CurrentLeaf_FirstCall_CoversEveryRequestedNameAndIsShortLived()
    {
        var authority = DevelopmentAuthority.LoadOrCreate(DataDirectory, _time);
        IReadOnlyList<string> names = ["localhost", "127.0.0.1", "::1"];

        var leaf = authority.CurrentLeaf(names);

        Assert.All(names, name => Assert.True(SubjectNames.Covers(leaf.Leaf, name), $"the leaf does not cover {name}"));
        Assert.Equal(names, leaf.Names);
        Assert.True(leaf.Leaf.HasPrivateKey);
        Assert.Equal(_time.GetUtcNow() + DevelopmentAuthority.LeafLifetime, leaf.NotAfter, TimeSpan.FromSeconds(1));
        Assert.Equal($"development CA ({authority.CertificatePath})", leaf.Source);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(Path.Combine(DataDirectory, "dev-leaf.key")));
    }

    [Fact]
    public void CurrentLeaf_LocalNames_ChainBuildsToTheAuthority()
    {
        var authority = DevelopmentAuthority.LoadOrCreate(DataDirectory, _time);

        var leaf = authority.CurrentLeaf(DevelopmentAuthority.LocalNames());

        Assert.Equal(X509ChainStatusFlags.NoError, ChainStatus(authority, leaf));
    }

    [Fact]
    public void CurrentLeaf_NameOutsideTheConstraints_DoesNotChainBuild()
    {
        var authority = DevelopmentAuthority.LoadOrCreate(DataDirectory, _time);

        var leaf = authority.CurrentLeaf(["www.example.com"]);

        Assert.NotEqual(X509ChainStatusFlags.NoError, ChainStatus(authority, leaf));
    }

    [Fact]
    public void CurrentLeaf_StoredLeafStillFresh_IsReused()
    {
        var authority = DevelopmentAuthority.LoadOrCreate(DataDirectory, _time);
        var first = authority.CurrentLeaf(["localhost"]);
        _time.Advance(TimeSpan.FromDays(1));

        var again = DevelopmentAuthority.LoadOrCreate(DataDirectory, _time).CurrentLeaf(["localhost"]);

        Assert.Equal(first.Fingerprint, again.Fingerprint);
    }

    [Fact]
    public void CurrentLeaf_RenewalDue_IssuesANewLeaf()
    {
        var authority = DevelopmentAuthority.LoadOrCreate(DataDirectory, _time);
        var first = authority.CurrentLeaf(["localhost"]);
        _time.Advance(TimeSpan.FromDays(5));
        Assert.True(Renewal.IsDue(first, _time.GetUtcNow()));

        var renewed = authority.CurrentLeaf(["localhost"]);

        Assert.NotEqual(first.Fingerprint, renewed.Fingerprint);
        Assert.False(Renewal.IsDue(renewed, _time.GetUtcNow()));
        Assert.Equal(_time.GetUtcNow() + DevelopmentAuthority.LeafLifetime, renewed.NotAfter, TimeSpan.FromSeconds(1));
        Assert.Equal(renewed.Fingerprint, authority.CurrentLeaf(["localhost"]).Fingerprint);
    }

    [Fact]
    public void CurrentLeaf_NameNotInStoredLeaf_IssuesALeafCoveringIt()
    {
        var authority = DevelopmentAuthority.LoadOrCreate(DataDirectory, _time);
        var first = authority.CurrentLeaf(["localhost"]);

        var wider = authority.CurrentLeaf(["localhost", "127.0.0.1"]);

        Assert.NotEqual(first.Fingerprint, wider.Fingerprint);
        Assert.Equal(["localhost", "127.0.0.1"], wider.Names);
    }

    [Fact]
    public void CurrentLeaf_LeafOfAnotherAuthority_IsReplaced()
    {
        var first = DevelopmentAuthority.LoadOrCreate(DataDirectory, _time).CurrentLeaf(["localhost"]);
        File.Delete(Path.Combine(DataDirectory, "dev-ca.pem"));
        File.Delete(Path.Combine(DataDirectory, "dev-ca.key"));
        var newAuthority = DevelopmentAuthority.LoadOrCreate(DataDirectory, _time);

        var leaf = newAuthority.CurrentLeaf(["localhost"]);

        Assert.True(newAuthority.Created);
        Assert.NotEqual(first.Fingerprint, leaf.Fingerprint);
        Assert.Equal(X509ChainStatusFlags.NoError, ChainStatus(newAuthority, leaf));
    }
}
