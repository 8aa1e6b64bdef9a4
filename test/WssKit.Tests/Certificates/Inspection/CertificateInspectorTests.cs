using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates;
using WssKit.Certificates.Inspection;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Certificates.Inspection;

public sealed class CertificateInspectorTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static ServerCertificate Served(X509Certificate2 leaf, params X509Certificate2[] chain)
        => new(leaf, [.. chain], "test.pem");

    private static IReadOnlyList<CertificateProblem> Inspect(X509Certificate2 leaf, IEnumerable<string>? names = null, DateTimeOffset? now = null,
        X509Certificate2[]? chain = null, X509Certificate2Collection? knownIssuers = null)
        => CertificateInspector.Inspect(Served(leaf, chain ?? []), names ?? [], now ?? Now, knownIssuers);

    private static IEnumerable<string> Codes(IEnumerable<CertificateProblem> problems) => problems.Select(problem => problem.Code);

    [Fact]
    public void Inspect_GoodLeafServedWithItsIntermediate_FindsNothing()
    {
        var root = TestCertificates.CreateAuthority("Test Root");
        var intermediate = TestCertificates.CreateAuthority("Test Intermediate", root);
        var leaf = TestCertificates.CreateLeaf(["example.com"], intermediate);

        Assert.Empty(Inspect(leaf, ["example.com"], chain: [intermediate]));
    }

    [Fact]
    public void Inspect_Expired_ErrorWithDateAndRenewal()
    {
        var root = TestCertificates.CreateAuthority("Test Root", notBefore: Now.AddYears(-3));
        var notAfter = new DateTimeOffset(Now.Year - 1, 3, 4, 5, 6, 0, TimeSpan.Zero);
        var leaf = TestCertificates.CreateLeaf(["example.com"], root, notBefore: notAfter.AddDays(-90), notAfter: notAfter);

        var problem = Assert.Single(Inspect(leaf, ["example.com"], chain: [root]));

        Assert.Equal("cert-expired", problem.Code);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.StartsWith($"the certificate example.com from test.pem expired on {notAfter.Year}-03-04 05:06 UTC (", problem.Message);
        Assert.EndsWith("days ago): renew it (for example `certbot renew`) and the server picks up the new files", problem.Message);
    }

    [Fact]
    public void Inspect_NotYetValid_ErrorPointingAtTheClock()
    {
        var root = TestCertificates.CreateAuthority("Test Root");
        var leaf = TestCertificates.CreateLeaf(["example.com"], root, notBefore: Now.AddDays(10), notAfter: Now.AddDays(100));

        var problem = Assert.Single(Inspect(leaf, ["example.com"], now: Now.AddHours(1), chain: [root]));

        Assert.Equal("cert-not-yet-valid", problem.Code);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Contains("is not valid until ", problem.Message);
        Assert.Contains("(in 10 days)", problem.Message); // 10 days less an hour, to the nearest day
        Assert.EndsWith("check this machine's clock, or use the certificate once it is valid", problem.Message);
    }

    [Fact]
    public void Inspect_LessThanAThirdOfLifetimeLeft_WarnsExpiringSoon()
    {
        var root = TestCertificates.CreateAuthority("Test Root");
        var leaf = TestCertificates.CreateLeaf(["example.com"], root, notBefore: Now.AddDays(-70), notAfter: Now.AddDays(20).AddHours(1));

        var problem = Assert.Single(Inspect(leaf, ["example.com"], chain: [root]));

        Assert.Equal("cert-expiring-soon", problem.Code);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
        Assert.Contains("(in 20 days, less than a third of its lifetime left): renew it now", problem.Message);
    }

    [Fact]
    public void Inspect_MoreThanAThirdOfLifetimeLeft_NoExpiryWarning()
    {
        var root = TestCertificates.CreateAuthority("Test Root");
        var leaf = TestCertificates.CreateLeaf(["example.com"], root, notBefore: Now.AddDays(-50), notAfter: Now.AddDays(40));

        Assert.Empty(Inspect(leaf, ["example.com"], chain: [root]));
    }

    [Fact]
    public void Inspect_HostnameNotCovered_ErrorNamingWhatItCovers()
    {
        var leaf = TestCertificates.CreateLeaf(["a.example.com", "127.0.0.1"]);

        var problem = Assert.Single(Inspect(leaf, ["b.example.com"]), p => p.Code == "cert-hostname-mismatch");

        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal("the certificate a.example.com from test.pem does not cover b.example.com (it covers a.example.com, 127.0.0.1): get a certificate that includes b.example.com, or correct the host names configured for it", problem.Message);
    }

    [Theory]
    [InlineData("a.example.com", true)]
    [InlineData("A.EXAMPLE.COM", true)]
    [InlineData("a.b.example.com", false)]
    [InlineData("example.com", false)]
    public void Inspect_WildcardCertificate_CoversExactlyOneLabel(string name, bool covered)
    {
        var leaf = TestCertificates.CreateLeaf(["*.example.com"]);

        var mismatches = Inspect(leaf, [name]).Where(problem => problem.Code == "cert-hostname-mismatch");

        Assert.Equal(covered ? 0 : 1, mismatches.Count());
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public void Inspect_IpAddressInSubjectAlternativeNames_IsCovered(string name)
    {
        var leaf = TestCertificates.CreateLeaf(["localhost", "127.0.0.1", "::1"]);

        Assert.DoesNotContain("cert-hostname-mismatch", Codes(Inspect(leaf, [name])));
    }

    [Fact]
    public void Inspect_LeafServedWithoutItsIntermediate_WarnsChainIncomplete()
    {
        var root = TestCertificates.CreateAuthority("Test Root");
        var intermediate = TestCertificates.CreateAuthority("Test Intermediate", root);
        var leaf = TestCertificates.CreateLeaf(["example.com"], intermediate);

        var problem = Assert.Single(Inspect(leaf, ["example.com"]));

        Assert.Equal("cert-chain-incomplete", problem.Code);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
        Assert.Contains($"is served without the certificate of its issuer ({intermediate.Subject})", problem.Message);
        Assert.EndsWith("serve the full chain (fullchain.pem, not cert.pem)", problem.Message);
    }

    [Fact]
    public void Inspect_IssuerKnownToClients_NoChainWarning()
    {
        var authority = TestCertificates.CreateAuthority("Development CA");
        var leaf = TestCertificates.CreateLeaf(["localhost"], authority);

        Assert.Equal(["cert-chain-incomplete"], Codes(Inspect(leaf, ["localhost"])));
        Assert.Empty(Inspect(leaf, ["localhost"], knownIssuers: [authority]));
    }

    [Fact]
    public void Inspect_SelfSigned_InfoOnly()
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"]);

        var problem = Assert.Single(Inspect(leaf, ["example.com"]));

        Assert.Equal("cert-self-signed", problem.Code);
        Assert.Equal(ProblemSeverity.Info, problem.Severity);
        Assert.Equal("the certificate example.com from test.pem is self-signed: every client must be given this exact certificate to trust", problem.Message);
    }

    [Fact]
    public void Inspect_Rsa1024Key_ErrorWeakKey()
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"], key: KeyKind.Rsa1024);

        var problem = Assert.Single(Inspect(leaf, ["example.com"]), p => p.Code == "cert-weak-key");

        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal("the certificate example.com from test.pem has a weak key (RSA 1024 bits); clients refuse it: issue a new certificate with RSA 2048+ or ECDSA P-256", problem.Message);
    }

    [Fact]
    public void Inspect_Rsa2048Key_NoWeakKey()
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"], key: KeyKind.Rsa2048);

        Assert.DoesNotContain("cert-weak-key", Codes(Inspect(leaf, ["example.com"])));
    }

    [Fact]
    public void Inspect_Sha1Signature_ErrorWeakSignature()
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"], key: KeyKind.Rsa2048, hash: HashAlgorithmName.SHA1);
        Assert.Equal("1.2.840.113549.1.1.5", leaf.SignatureAlgorithm.Value); // sha1WithRSAEncryption
        Assert.True(SignatureVerifies(leaf, HashAlgorithmName.SHA1), "the test certificate's SHA-1 signature must be genuine");

        var problem = Assert.Single(Inspect(leaf, ["example.com"]), p => p.Code == "cert-weak-signature");

        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal("the certificate example.com from test.pem is signed with sha1RSA, which clients refuse: have it reissued with SHA-256", problem.Message);
    }

    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
    private static bool SignatureVerifies(X509Certificate2 selfSigned, HashAlgorithmName hash)
    {
        var certificate = new AsnReader(selfSigned.RawData, AsnEncodingRules.DER).ReadSequence();
        var signed = certificate.ReadEncodedValue().ToArray();
        certificate.ReadSequence();
        var signature = certificate.ReadBitString(out _);
        using var key = selfSigned.GetRSAPublicKey()!;
        return key.VerifyData(signed, signature, hash, RSASignaturePadding.Pkcs1);
    }

    [Fact]
    public void Inspect_ClientAuthOnlyUsage_ErrorNotForServers()
    {
        var leaf = TestCertificates.CreateLeaf(["example.com"], serverAuth: false);

        var problem = Assert.Single(Inspect(leaf, ["example.com"]), p => p.Code == "cert-not-for-server");

        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Contains("its extended key usage lacks serverAuth", problem.Message);
    }

    [Theory]
    [InlineData(3 * 24 * 60, "3 days")]
    [InlineData(5 * 60, "5 hours")]
    [InlineData(12, "12 minutes")]
    [InlineData(1, "60 seconds")]
    public void Span_Duration_InTheLargestWholeUnit(int minutes, string expected)
    {
        Assert.Equal(expected, CertificateInspector.Span(TimeSpan.FromMinutes(minutes)));
    }
}
