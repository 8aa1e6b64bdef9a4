using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates;
using WssKit.Certificates.Files;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Certificates.Files;

public sealed class CertificateFilesTests : IDisposable
{
    private const string Password = "correct horse battery staple";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private (string Cert, string Key) WritePem(X509Certificate2 leaf, KeyFormat format = KeyFormat.Pkcs8, string? password = null, params X509Certificate2[] chain)
        => (_temp.Write("fullchain.pem", TestCertificates.CertificatesPem([leaf, .. chain])),
            _temp.Write("key.pem", TestCertificates.KeyPem(leaf, format, password)));

    private static void AssertLoaded(X509Certificate2 expected, ServerCertificate loaded)
    {
        Assert.Equal(expected.Thumbprint, loaded.Leaf.Thumbprint);
        Assert.True(loaded.Leaf.HasPrivateKey);
        Assert.Equal(TestCertificates.Fingerprint(expected), loaded.Fingerprint);
    }

    [Theory]
    [InlineData(KeyKind.Rsa2048, KeyFormat.Pkcs8)]
    [InlineData(KeyKind.Rsa2048, KeyFormat.Pkcs1)]
    [InlineData(KeyKind.EcdsaP256, KeyFormat.Pkcs8)]
    [InlineData(KeyKind.EcdsaP256, KeyFormat.Sec1)]
    public void LoadPem_LeafAndPlainKey_LoadsLeafWithKey(KeyKind kind, KeyFormat format)
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"], key: kind);
        var (cert, key) = WritePem(leaf, format);

        var loaded = CertificateFiles.LoadPem(cert, key);

        AssertLoaded(leaf, loaded);
        Assert.Empty(loaded.Chain);
        Assert.Equal(["example.com"], loaded.Names);
        Assert.Equal($"{cert} + {key}", loaded.Source);
    }

    [Fact]
    public void LoadPem_RsaLeaf_KeyCanSign()
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"], key: KeyKind.Rsa2048);
        var (cert, key) = WritePem(leaf, KeyFormat.Pkcs1);

        using var rsa = CertificateFiles.LoadPem(cert, key).Leaf.GetRSAPrivateKey();

        Assert.NotNull(rsa);
        byte[] data = [1, 2, 3];
        var signature = rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var publicKey = leaf.GetRSAPublicKey()!;
        Assert.True(publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Theory]
    [InlineData(KeyKind.EcdsaP256)]
    [InlineData(KeyKind.Rsa2048)]
    public void LoadPem_EncryptedKeyWithPasswordFile_Loads(KeyKind kind)
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"], key: kind);
        var (cert, key) = WritePem(leaf, KeyFormat.EncryptedPkcs8, Password);
        var passwordFile = _temp.Write("key.pass", Password + "\nsecond line is ignored\n");

        var loaded = CertificateFiles.LoadPem(cert, key, new SecretSource(FilePath: passwordFile));

        AssertLoaded(leaf, loaded);
    }

    [Fact]
    public void LoadPem_EncryptedKeyWithPasswordInEnvironment_Loads()
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"]);
        var (cert, key) = WritePem(leaf, KeyFormat.EncryptedPkcs8, Password);
        var variable = $"WSSKIT_TEST_KEY_PASSWORD_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, Password);
        try
        {
            var loaded = CertificateFiles.LoadPem(cert, key, new SecretSource(EnvironmentVariable: variable));

            AssertLoaded(leaf, loaded);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void LoadPem_EncryptedKeyWithWrongPassword_SaysWrongPassword()
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"]);
        var (cert, key) = WritePem(leaf, KeyFormat.EncryptedPkcs8, Password);
        var passwordFile = _temp.Write("key.pass", "not the password");

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPem(cert, key, new SecretSource(FilePath: passwordFile)));

        Assert.Equal($"cannot decrypt the key {key}: wrong password (check the password file or variable)", exception.Message);
    }

    [Fact]
    public void LoadPem_EncryptedKeyWithoutPassword_NamesTheFileAndThePasswordFlags()
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"]);
        var (cert, key) = WritePem(leaf, KeyFormat.EncryptedPkcs8, Password);

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPem(cert, key));

        Assert.Equal($"the key {key} is encrypted: give its password with --key-password-file FILE or --key-password-env VARIABLE", exception.Message);
    }

    [Fact]
    public void LoadPem_LegacyEncryptedKey_SaysHowToConvertIt()
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"], key: KeyKind.Rsa2048);
        var (cert, key) = WritePem(leaf, KeyFormat.LegacyEncrypted, Password);
        var passwordFile = _temp.Write("key.pass", Password);

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPem(cert, key, new SecretSource(FilePath: passwordFile)));

        Assert.Equal($"the key {key} uses OpenSSL's legacy PEM encryption, which is not supported: convert it with `openssl pkcs8 -topk8 -in {key} -out key.pk8.pem` and use that file", exception.Message);
    }

    [Fact]
    public void LoadPem_MissingCertificateFile_NamesTheFile()
    {
        var missing = _temp.File("nowhere/fullchain.pem");
        var key = _temp.Write("key.pem", TestCertificates.KeyPem(TestCertificates.CreateLeaf(["example.com"])));

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPem(missing, key));

        Assert.Equal($"cannot read the certificate file {missing}: not found (check the path)", exception.Message);
    }

    [Fact]
    public void LoadPem_MissingKeyFile_NamesTheFile()
    {
        var cert = _temp.Write("fullchain.pem", TestCertificates.CertificatesPem(TestCertificates.CreateLeaf(["example.com"])));
        var missing = _temp.File("key.pem");

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPem(cert, missing));

        Assert.Equal($"cannot read the key file {missing}: not found (check the path)", exception.Message);
    }

    [Fact]
    public void LoadPem_CertAndKeySwapped_SaysToSwapThem()
    {
        var (cert, key) = WritePem(TestCertificates.CreateLeaf(["example.com"]));

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPem(key, cert));

        Assert.Equal($"the certificate file {key} holds a private key, not a certificate: swap --cert and --key", exception.Message);
    }

    [Fact]
    public void LoadPem_CertificateGivenAsBothFiles_SaysTheKeyFileHoldsACertificate()
    {
        var (cert, _) = WritePem(TestCertificates.CreateLeaf(["example.com"]));

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPem(cert, cert));

        Assert.Equal($"the key file {cert} holds a certificate, not a private key: swap --cert and --key", exception.Message);
    }

    [Fact]
    public void LoadPem_KeyOfAnotherCertificate_SaysTheyDoNotMatch()
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"]);
        var cert = _temp.Write("fullchain.pem", TestCertificates.CertificatesPem(leaf));
        var key = _temp.Write("other.key", TestCertificates.KeyPem(TestCertificates.CreateLeaf(["example.com"])));

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPem(cert, key));

        Assert.Equal($"the key {key} does not match the certificate {cert} ({leaf.Subject}): use the key that was created with this certificate, or the certificate issued for this key", exception.Message);
    }

    [Fact]
    public void LoadPem_RsaKeyForEcdsaCertificate_SaysTheyDoNotMatch()
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"]);
        var cert = _temp.Write("fullchain.pem", TestCertificates.CertificatesPem(leaf));
        var key = _temp.Write("rsa.key", TestCertificates.KeyPem(TestCertificates.CreateLeaf(["example.com"], key: KeyKind.Rsa1024), KeyFormat.Pkcs1));

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPem(cert, key));

        Assert.StartsWith($"the key {key} does not match the certificate {cert}", exception.Message);
    }

    [Fact]
    public void LoadPem_NotPem_SaysWhatTheFileShouldHold()
    {
        var cert = _temp.Write("fullchain.pem", "hello");
        var key = _temp.Write("key.pem", TestCertificates.KeyPem(TestCertificates.CreateLeaf(["example.com"])));

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPem(cert, key));

        Assert.Equal($"the certificate file {cert} holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the PEM file (fullchain.pem), or use --pfx for a PKCS#12 file", exception.Message);
    }

    [Fact]
    public void LoadPem_ChainWithIntermediate_PutsIntermediateInChain()
    {
        var root = TestCertificates.CreateAuthority("Test Root");
        var intermediate = TestCertificates.CreateAuthority("Test Intermediate", root);
        var leaf = TestCertificates.CreateLeaf(["example.com"], intermediate);
        var (cert, key) = WritePem(leaf, KeyFormat.Pkcs8, null, intermediate);

        var loaded = CertificateFiles.LoadPem(cert, key);

        AssertLoaded(leaf, loaded);
        Assert.Equal([intermediate.Thumbprint], loaded.Chain.Select(certificate => certificate.Thumbprint));
    }

    [Fact]
    public void LoadPem_ChainOutOfOrder_ArrangesItInIssuerOrder()
    {
        var root = TestCertificates.CreateAuthority("Test Root");
        var upper = TestCertificates.CreateAuthority("Test Intermediate Upper", root);
        var lower = TestCertificates.CreateAuthority("Test Intermediate Lower", upper);
        var leaf = TestCertificates.CreateLeaf(["example.com"], lower);
        // Upper first, the leaf in the middle: only the key says which one is the leaf.
        var cert = _temp.Write("fullchain.pem", TestCertificates.CertificatesPem(upper, leaf, lower));
        var key = _temp.Write("key.pem", TestCertificates.KeyPem(leaf));

        var loaded = CertificateFiles.LoadPem(cert, key);

        AssertLoaded(leaf, loaded);
        Assert.Equal([lower.Thumbprint, upper.Thumbprint], loaded.Chain.Select(certificate => certificate.Thumbprint));
    }

    [Fact]
    public void LoadPem_UnrelatedCertificateInFile_KeptAfterTheChain()
    {
        var root = TestCertificates.CreateAuthority("Test Root");
        var intermediate = TestCertificates.CreateAuthority("Test Intermediate", root);
        var stranger = TestCertificates.CreateAuthority("Somebody Else");
        var leaf = TestCertificates.CreateLeaf(["example.com"], intermediate);
        var cert = _temp.Write("fullchain.pem", TestCertificates.CertificatesPem(stranger, leaf, intermediate));
        var key = _temp.Write("key.pem", TestCertificates.KeyPem(leaf));

        var loaded = CertificateFiles.LoadPem(cert, key);

        Assert.Equal([intermediate.Thumbprint, stranger.Thumbprint], loaded.Chain.Select(certificate => certificate.Thumbprint));
    }

    [Fact]
    public void LoadPfx_WithoutPassword_LoadsLeafAndChain()
    {
        var root = TestCertificates.CreateAuthority("Test Root");
        var intermediate = TestCertificates.CreateAuthority("Test Intermediate", root);
        var leaf = TestCertificates.CreateLeaf(["example.com"], intermediate, KeyKind.Rsa2048);
        var path = _temp.File("site.pfx");
        TestCertificates.WritePfx(path, null, leaf, root, intermediate);

        var loaded = CertificateFiles.LoadPfx(path);

        AssertLoaded(leaf, loaded);
        Assert.Equal([intermediate.Thumbprint, root.Thumbprint], loaded.Chain.Select(certificate => certificate.Thumbprint));
        Assert.Equal(path, loaded.Source);
    }

    [Fact]
    public void LoadPfx_WithPasswordFromFile_Loads()
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"]);
        var path = _temp.File("site.pfx");
        TestCertificates.WritePfx(path, Password, leaf);
        var passwordFile = _temp.Write("pfx.pass", Password + "\n");

        var loaded = CertificateFiles.LoadPfx(path, new SecretSource(FilePath: passwordFile));

        AssertLoaded(leaf, loaded);
    }

    [Fact]
    public void LoadPfx_PasswordNeededButNotGiven_NamesThePasswordFlags()
    {
        var path = _temp.File("site.pfx");
        TestCertificates.WritePfx(path, Password, TestCertificates.CreateLeaf(["example.com"]));

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPfx(path));

        Assert.Equal($"cannot open the PFX file {path}: it needs a password (--pfx-password-file or --pfx-password-env) or is not a PKCS#12 file", exception.Message);
    }

    [Fact]
    public void LoadPfx_WrongPassword_SaysWrongPassword()
    {
        var path = _temp.File("site.pfx");
        TestCertificates.WritePfx(path, Password, TestCertificates.CreateLeaf(["example.com"]));
        var passwordFile = _temp.Write("pfx.pass", "guess");

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPfx(path, new SecretSource(FilePath: passwordFile)));

        Assert.StartsWith($"cannot open the PFX file {path}: wrong password or not a PKCS#12 file (", exception.Message);
    }

    [Fact]
    public void LoadPfx_WithoutKey_SaysToExportWithKey()
    {
        var path = _temp.File("site.pfx");
        var publicOnly = X509CertificateLoader.LoadCertificate(TestCertificates.CreateLeaf(["example.com"]).RawData);
        File.WriteAllBytes(path, publicOnly.Export(X509ContentType.Pkcs12)!);

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPfx(path));

        Assert.Equal($"the PFX file {path} holds no private key: export it again with the key included", exception.Message);
    }

    [Fact]
    public void LoadPfx_MissingFile_NamesTheFile()
    {
        var missing = _temp.File("site.pfx");

        var exception = Assert.Throws<CertificateException>(() => CertificateFiles.LoadPfx(missing));

        Assert.Equal($"cannot read the PFX file {missing}: not found (check the path)", exception.Message);
    }
}
