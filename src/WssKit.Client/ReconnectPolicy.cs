namespace WssKit.Client;

/// <summary>When to try again after a connection is lost: exponential backoff with full jitter, capped.</summary>
public sealed record ReconnectPolicy
{
    /// <summary>The first wait. Default 0.5 s.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Give up after this many failed attempts in a row (0: never). Default 0.</summary>
    public int MaxAttempts { get; init; }

    /// <summary>How often to ping; a pong missing for <see cref="PingTimeout"/> counts the connection as dead. Zero: no pings. Default 15 s.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a pong may take. Default 10 s.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before attempt <paramref name="attempt"/> (1-based): random between zero and min(max, initial × 2^(attempt−1)).</summary>
    public TimeSpan DelayFor(int attempt, Random random)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, InitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30)));
        return TimeSpan.FromMilliseconds(random.NextDouble() * ceiling);
    }
}
