using System.Security.Cryptography.X509Certificates;

namespace WssKit.Certificates.Acme;

/// <summary>
/// Keeps the ACME certificate fresh: orders one when there is none, and again once two thirds of its lifetime have
/// passed; a failure (CA down, challenge failed, rate limit) keeps what is served and is retried with backoff.
/// </summary>
public sealed class AcmeRenewer(AcmeStore store, Func<AcmeClient> client, string? email, AcmeChallenges challenges, TimeProvider time) : IAsyncDisposable
{
    private static readonly TimeSpan Check = TimeSpan.FromHours(1);
    private readonly CancellationTokenSource _stopping = new();

    // Where in the CA's suggested window this server renews, chosen once, so that servers spread out.
    private readonly double _spread = Random.Shared.NextDouble();
    private Task? _loop;

    /// <summary>Raised after a new certificate was stored, to load it at once and log it.</summary>
    public event Action<ServerCertificate>? Stored;

    /// <summary>Raised when an order failed: why, and when the next try is.</summary>
    public event Action<string, TimeSpan>? Failed;

    public void Start() => _loop ??= Task.Run(RunAsync);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            var wait = Check;
            if (await DueAsync())
            {
                try
                {
                    using var held = store.TryLock();
                    if (held is not null && await DueAsync())
                    {
                        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                        limit.CancelAfter(TimeSpan.FromMinutes(5));
                        var certificate = await AcmeIssuer.IssueAsync(client(), store.Domains, email, challenges, limit.Token);
                        store.Save(certificate);
                        Stored?.Invoke(certificate);
                        failures = 0;
                    }
                    else if (held is null)
                    {
                        wait = TimeSpan.FromSeconds(30); // another process is ordering; its files will be picked up
                    }
                }
                catch (Exception e) when (e is AcmeException or OperationCanceledException or IOException && !_stopping.IsCancellationRequested)
                {
                    failures++;
                    wait = e is AcmeException { RetryAfter: { } after } ? after : Backoff(failures);
                    Failed?.Invoke(e is OperationCanceledException ? "the order did not finish within 5 minutes" : e.Message, wait);
                }
            }
            try
            {
                await Task.Delay(wait, time, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Whether there is no stored certificate, or its renewal time has come: within the window the CA suggests (ACME
    /// Renewal Information, asked at every check), else at two thirds of its lifetime.
    /// </summary>
    private async Task<bool> DueAsync()
    {
        if (!File.Exists(store.CertificatePath))
        {
            return true;
        }
        X509Certificate2 leaf;
        try
        {
            leaf = X509CertificateLoader.LoadCertificateFromFile(store.CertificatePath);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return true;
        }
        using (leaf)
        {
            (DateTimeOffset, DateTimeOffset)? window = null;
            try
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                limit.CancelAfter(TimeSpan.FromSeconds(30));
                window = await client().RenewalWindowAsync(leaf, limit.Token);
            }
            catch (Exception e) when (e is AcmeException or OperationCanceledException or System.Text.Json.JsonException or KeyNotFoundException or FormatException && !_stopping.IsCancellationRequested)
            {
                // No suggestion to be had now: the lifetime rule decides.
            }
            return time.GetUtcNow() >= RenewalTime.For(leaf, window, _spread);
        }
    }

    /// <summary>Exponential backoff with full jitter: up to 10 s, 20 s, 40 s, ... capped at an hour.</summary>
    private static TimeSpan Backoff(int failures)
        => TimeSpan.FromSeconds(Random.Shared.NextDouble() * Math.Min(3600, 10 * Math.Pow(2, Math.Min(failures - 1, 12))));
}
