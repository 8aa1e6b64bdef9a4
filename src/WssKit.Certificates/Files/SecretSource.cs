namespace WssKit.Certificates.Files;

/// <summary>
/// Where a password comes from: a file (its first line) or an environment variable, never the command line,
/// where any user could read it in the process list.
/// </summary>
/// <param name="FilePath">A file whose first line is the password.</param>
/// <param name="EnvironmentVariable">The name of an environment variable that holds the password.</param>
public sealed record SecretSource(string? FilePath = null, string? EnvironmentVariable = null)
{
    /// <summary>No password.</summary>
    public static SecretSource None { get; } = new();

    /// <summary>Whether a source is set.</summary>
    public bool IsSet => FilePath is not null || EnvironmentVariable is not null;

    /// <summary>The password, or null when no source is set.</summary>
    /// <param name="environment">Reads an environment variable (the process environment by default).</param>
    /// <exception cref="CertificateException">The file cannot be read or the variable is not set.</exception>
    public string? Read(Func<string, string?>? environment = null)
    {
        if (FilePath is not null)
        {
            try
            {
                var text = File.ReadAllText(FilePath);
                var end = text.IndexOfAny(['\r', '\n']);
                return end < 0 ? text : text[..end];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CertificateException($"cannot read the password file {FilePath}: {Reason.Of(e)}");
            }
        }
        if (EnvironmentVariable is not null)
        {
            return (environment ?? Environment.GetEnvironmentVariable)(EnvironmentVariable)
                ?? throw new CertificateException($"the environment variable {EnvironmentVariable} that should hold the password is not set: export it before starting");
        }
        return null;
    }
}
