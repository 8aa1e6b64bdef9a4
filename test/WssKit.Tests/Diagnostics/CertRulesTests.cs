using WssKit.Diagnostics.Certs;

namespace WssKit.Tests.Diagnostics;

/// <summary>The status rules of wss certs: the warning window (a fraction of the lifetime, or days), dates, chain, names, trust.</summary>
public sealed class CertRulesTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ExpiryThreshold Default = new(CertsOptions.DefaultWarnFraction, null);

    [Theory]
    [InlineData(90, 31, false)]   // 34% of 90 days left
    [InlineData(90, 29, true)]    // 32% left
    [InlineData(90, 30.01, false)] // just over a third
    [InlineData(90, 29.99, true)]  // just under a third
    [InlineData(365, 100, true)]   // 27% of a year
    [InlineData(365, 130, false)]
    public void Threshold_DefaultThird_WarnsBelowAThirdOfLifetime(double lifetimeDays, double leftDays, bool due)
        => Assert.Equal(due, Default.IsDue(TimeSpan.FromDays(lifetimeDays), TimeSpan.FromDays(leftDays)));

    [Theory]
    [InlineData(0.5, null, 90, 44, true)]
    [InlineData(0.5, null, 90, 46, false)]
    [InlineData(0.1, 14.0, 365, 20, true)]   // 5% left is under 10%: due by fraction
    [InlineData(0.01, 14.0, 365, 13, true)]  // by days only
    [InlineData(0.01, 14.0, 365, 15, false)]
    public void Threshold_FractionOrDays_EitherWarns(double fraction, double? days, double lifetimeDays, double leftDays, bool due)
    {
        var threshold = new ExpiryThreshold(fraction, days);

        Assert.Equal(due, threshold.IsDue(TimeSpan.FromDays(lifetimeDays), TimeSpan.FromDays(leftDays)));
    }

    [Fact]
    public void Judge_HealthyCertificate_NoProblems()
    {
        var problems = CertRules.Judge(Evidence(Leaf(-10, 80)), Now, Default);

        Assert.Empty(problems);
    }

    [Fact]
    public void Judge_LessThanAThirdLeft_WarningExpiringSoon()
    {
        var problems = CertRules.Judge(Evidence(Leaf(-70, 20)), Now, Default);

        var problem = Assert.Single(problems);
        Assert.Equal(("cert-expiring-soon", CertStatus.Warning), (problem.Code, problem.Severity));
        Assert.Equal("expires in 20 days, 22% of its lifetime left: renew it", problem.Message);
    }

    [Fact]
    public void Judge_WarnDays_WarnsEvenWithMostOfTheLifetimeLeft()
    {
        var problems = CertRules.Judge(Evidence(Leaf(-10, 300)), Now, new ExpiryThreshold(CertsOptions.DefaultWarnFraction, 400));

        Assert.Equal("cert-expiring-soon", Assert.Single(problems).Code);
    }

    [Fact]
    public void Judge_Expired_Error()
    {
        var problems = CertRules.Judge(Evidence(Leaf(-90, -3)), Now, Default);

        var problem = Assert.Single(problems);
        Assert.Equal(("cert-expired", CertStatus.Error), (problem.Code, problem.Severity));
        Assert.Equal("expired on 2025-05-29 12:00 UTC, 3 days ago", problem.Message);
    }

    [Fact]
    public void Judge_NotYetValid_Error()
    {
        var problems = CertRules.Judge(Evidence(Leaf(2, 90)), Now, Default);

        Assert.Equal(("cert-not-yet-valid", CertStatus.Error), (Assert.Single(problems).Code, problems[0].Severity));
    }

    [Fact]
    public void Judge_IntermediateExpiresBeforeLeafInsideWindow_WarningChainExpiringSoon()
    {
        var leaf = Leaf(-10, 80);
        var intermediate = Certificate("CN=Old Intermediate", -700, 5);

        var problems = CertRules.Judge(Evidence(leaf, chainEarliest: intermediate, earliest: intermediate), Now, Default);

        var problem = Assert.Single(problems);
        Assert.Equal(("chain-expiring-soon", CertStatus.Warning), (problem.Code, problem.Severity));
        Assert.Contains("CN=Old Intermediate in the chain expires in 5 days", problem.Message);
    }

    [Fact]
    public void Judge_IntermediateExpiresBeforeLeafOutsideWindow_NoProblem()
    {
        var problems = CertRules.Judge(Evidence(Leaf(-10, 80), chainEarliest: Certificate("CN=Intermediate", -700, 60)), Now, Default);

        Assert.Empty(problems);
    }

    [Fact]
    public void Judge_ExpiredIntermediateInChain_ErrorChainExpired()
    {
        var expired = Certificate("CN=Intermediate", -700, -1);

        var problems = CertRules.Judge(Evidence(Leaf(-10, 80), chainEarliest: expired, earliest: expired), Now, Default);

        Assert.Equal(("chain-expired", CertStatus.Error), (Assert.Single(problems).Code, problems[0].Severity));
    }

    [Fact]
    public void Judge_ExpiredExtraCertificateOutsideTheChain_WarningServedExpired()
    {
        var problems = CertRules.Judge(Evidence(Leaf(-10, 80), earliest: Certificate("CN=Old Cross-sign", -900, -30)), Now, Default);

        var problem = Assert.Single(problems);
        Assert.Equal(("served-expired", CertStatus.Warning), (problem.Code, problem.Severity));
    }

    [Fact]
    public void Judge_NameMismatchAndUntrusted_ErrorsWorstFirst()
    {
        var evidence = Evidence(Leaf(-70, 20)) with { NameMatches = false, Names = ["other.example"], Trusted = false, Untrusted = "the certificate is self-signed" };

        var problems = CertRules.Judge(evidence, Now, Default);

        Assert.Equal(["cert-hostname-mismatch", "chain-untrusted", "cert-expiring-soon"], problems.Select(problem => problem.Code));
        Assert.Equal("does not cover api.example.com (covers other.example)", problems[0].Message);
        Assert.Equal("untrusted: the certificate is self-signed", problems[1].Message);
    }

    [Theory]
    [InlineData(-45, 45, 0.5)]
    [InlineData(-90, -1, 0)]
    [InlineData(5, 95, 1)]
    public void LifetimeLeft_BetweenZeroAndOne(double fromDays, double toDays, double expected)
        => Assert.Equal(expected, CertRules.LifetimeLeft(Leaf(fromDays, toDays), Now), 3);

    private static CertificateFacts Leaf(double fromDays, double toDays) => Certificate("CN=api.example.com", fromDays, toDays);

    private static CertificateFacts Certificate(string subject, double fromDays, double toDays)
        => new(subject, "CN=Test CA", "Test CA", Now.AddDays(fromDays), Now.AddDays(toDays), "01", "AA");

    private static CertEvidence Evidence(CertificateFacts leaf, CertificateFacts? chainEarliest = null, CertificateFacts? earliest = null)
        => new("api.example.com", leaf, ["api.example.com"], true, earliest ?? leaf, chainEarliest ?? leaf, true, null);
}
