using Microsoft.Extensions.Logging;

namespace WssKit.Server.Hosting;

/// <summary>What the host of a server provides besides options: the clock and where logs go.</summary>
public sealed record WssServerEnvironment
{
    /// <summary>The clock for timeouts, expiry and renewal. Default: the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Adds log providers. Default: the console (standard error), as text or JSON per the options. The level filter
    /// of the options is applied either way.
    /// </summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}
