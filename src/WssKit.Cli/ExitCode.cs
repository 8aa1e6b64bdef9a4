namespace WssKit.Cli;

/// <summary>The exit codes of every wss command.</summary>
internal enum ExitCode
{
    /// <summary>Done, nothing wrong.</summary>
    Success = 0,
    /// <summary>The command ran and something failed (a port could not be bound, a store could not be changed).</summary>
    Failure = 1,
    /// <summary>The command could not run: bad arguments, settings or certificates.</summary>
    Usage = 2,
}
