using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates.Acme;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Acme;

/// <summary>The ACME client against Pebble (Let's Encrypt's test CA), with Pebble's random nonce rejections left on.</summary>
public sealed class AcmeIssuerTests
{
    [Fact]
    public async Task Http01_IssuesAChainThatVerifiesToPebblesRoot()
    {
        var challenges = new Http01Challenges();
        await using var responder = new Http01Responder(challenges);
        await using var pebble = await Pebble.StartAsync(responder.Port);
        using var http = pebble.Http();
        using var key = AccountKey.Create();
        var client = new AcmeClient(http, pebble.DirectoryUrl, key);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var certificate = await AcmeIssuer.IssueAsync(client, ["wss.test", "www.wss.test"], "ops@wss.test", challenges, limit.Token);

        Assert.True(certificate.Leaf.HasPrivateKey);
        Assert.Equal(["wss.test", "www.wss.test"], certificate.Names);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(await pebble.IssuingRootAsync());
        chain.ChainPolicy.ExtraStore.AddRange(certificate.Chain);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(certificate.Leaf), string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation)) + "\n" + pebble.Log);
    }

    [Fact]
    public async Task ChallengeNotServed_FailsNamingTheNameAndWhatTheCaFetches()
    {
        await using var responder = new Http01Responder(new Http01Challenges());
        await using var pebble = await Pebble.StartAsync(responder.Port);
        using var http = pebble.Http();
        using var key = AccountKey.Create();
        var client = new AcmeClient(http, pebble.DirectoryUrl, key);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // The answers go to a store nobody serves: the CA's fetch gets 404.
        var error = await Assert.ThrowsAsync<AcmeException>(() => AcmeIssuer.IssueAsync(client, ["unserved.test"], null, new Http01Challenges(), limit.Token));

        Assert.Contains("the CA could not validate unserved.test over HTTP-01", error.Message);
        Assert.Contains("http://unserved.test/.well-known/acme-challenge/", error.Message);
    }

    [Fact]
    public async Task CaNotRunning_SaysItCannotReachTheServer()
    {
        using var http = new HttpClient();
        using var key = AccountKey.Create();
        var port = LoopbackPort.Free();
        var client = new AcmeClient(http, new Uri($"https://127.0.0.1:{port}/dir"), key);

        var error = await Assert.ThrowsAsync<AcmeException>(() => client.AccountAsync(null, CancellationToken.None));

        Assert.StartsWith($"cannot reach the ACME server 127.0.0.1:{port}", error.Message);
    }

    [Fact]
    public async Task Renewer_OrdersWhenNothingIsStored_AndAgainAtTwoThirdsOfTheLifetime()
    {
        var challenges = new Http01Challenges();
        await using var responder = new Http01Responder(challenges);
        await using var pebble = await Pebble.StartAsync(responder.Port);
        using var http = pebble.Http();
        using var data = new TempDirectory();
        var store = new AcmeStore(data.Path, ["renew.test"]);
        using var key = store.LoadOrCreateAccountKey();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var stored = System.Threading.Channels.Channel.CreateUnbounded<WssKit.Certificates.ServerCertificate>();
        await using var renewer = new AcmeRenewer(store, () => new AcmeClient(http, pebble.DirectoryUrl, key), null, challenges, time);
        renewer.Stored += certificate => stored.Writer.TryWrite(certificate);
        renewer.Failed += (reason, _) => stored.Writer.TryComplete(new InvalidOperationException(reason));

        renewer.Start();
        var first = await stored.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(45));
        var lifetime = first.NotAfter - first.NotBefore;
        time.Advance(lifetime * 2 / 3);
        // The renewer sleeps on the fake clock between checks; keep the clock moving an hour at a time until it has
        // woken, found the certificate due and ordered again (it may not have gone to sleep yet at the first move).
        var next = stored.Reader.ReadAsync().AsTask();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (!next.IsCompleted && DateTime.UtcNow < deadline)
        {
            time.Advance(TimeSpan.FromHours(1));
            await Task.WhenAny(next, Task.Delay(200));
        }
        var second = await next.WaitAsync(TimeSpan.FromSeconds(1));

        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
        Assert.Equal(second.Leaf.Thumbprint, X509CertificateLoader.LoadCertificateFromFile(store.CertificatePath).Thumbprint);
    }
}
