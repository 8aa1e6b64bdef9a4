using System.Diagnostics;

namespace WssKit.Certificates.DevCa;

/// <summary>What adding (or removing) the development CA to the system trust store did, step by step.</summary>
/// <param name="Succeeded">Whether the CA is now trusted (or no longer, when removing).</param>
/// <param name="Steps">What was done, each a line for people: files written, commands run and what they said.</param>
/// <param name="Error">Why it failed, with the fix, when it did.</param>
public sealed record TrustOutcome(bool Succeeded, IReadOnlyList<string> Steps, string? Error);

/// <summary>
/// The operating system's trust store where it has a documented way to add a CA: Debian and Ubuntu
/// (update-ca-certificates) and Fedora, RHEL and SUSE-like systems (update-ca-trust).
/// </summary>
public sealed class SystemTrustStore
{
    private const string FileName = "wsskit-development-ca";

    private readonly string _anchorDirectory;
    private readonly string _extension;
    private readonly string _command;
    private readonly string[] _arguments;
    private readonly string[] _removeArguments;

    private SystemTrustStore(string anchorDirectory, string extension, string command, string[] arguments, string[] removeArguments)
    {
        _anchorDirectory = anchorDirectory;
        _extension = extension;
        _command = command;
        _arguments = arguments;
        _removeArguments = removeArguments;
    }

    /// <summary>The file the CA is written to.</summary>
    public string AnchorPath => Path.Combine(_anchorDirectory, FileName + _extension);

    /// <summary>The store of this system, or null when there is none this tool knows how to change.</summary>
    public static SystemTrustStore? Detect()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        if (Directory.Exists("/usr/local/share/ca-certificates") && FindCommand("update-ca-certificates") is { } debian)
        {
            return new SystemTrustStore("/usr/local/share/ca-certificates", ".crt", debian, [], ["--fresh"]);
        }
        if (Directory.Exists("/etc/pki/ca-trust/source/anchors") && FindCommand("update-ca-trust") is { } fedora)
        {
            return new SystemTrustStore("/etc/pki/ca-trust/source/anchors", ".pem", fedora, ["extract"], ["extract"]);
        }
        return null;
    }

    /// <summary>Writes the CA into the store's anchor directory and rebuilds the store.</summary>
    public TrustOutcome Add(DevelopmentAuthority authority)
    {
        var steps = new List<string>();
        try
        {
            File.WriteAllText(AnchorPath, authority.ExportPem());
            steps.Add($"wrote {AnchorPath}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new TrustOutcome(false, steps, e is UnauthorizedAccessException
                ? $"cannot write {AnchorPath}: permission denied; the system trust store needs root: run `sudo wss cert trust`"
                : $"cannot write {AnchorPath}: {e.Message.TrimEnd('.')}");
        }
        return Rebuild(_arguments, steps);
    }

    /// <summary>Removes the CA from the store and rebuilds it.</summary>
    public TrustOutcome Remove()
    {
        var steps = new List<string>();
        if (!File.Exists(AnchorPath))
        {
            return new TrustOutcome(true, [$"{AnchorPath} does not exist: the development CA was not in the system store"], null);
        }
        try
        {
            File.Delete(AnchorPath);
            steps.Add($"deleted {AnchorPath}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new TrustOutcome(false, steps, $"cannot delete {AnchorPath}: {(e is UnauthorizedAccessException ? "permission denied; run `sudo wss cert trust --remove`" : e.Message.TrimEnd('.'))}");
        }
        return Rebuild(_removeArguments, steps);
    }

    private TrustOutcome Rebuild(string[] arguments, List<string> steps)
    {
        var start = new ProcessStartInfo(_command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
        }
        var said = Summary(output.Result + "\n" + error.Result);
        var commandLine = string.Join(' ', [_command, .. arguments]);
        steps.Add(said.Length > 0 ? $"ran {commandLine}: {said}" : $"ran {commandLine}");
        return process.ExitCode == 0
            ? new TrustOutcome(true, steps, null)
            : new TrustOutcome(false, steps, $"{commandLine} failed with exit code {process.ExitCode}: {said}");
    }

    // update-ca-certificates lists every certificate it links and every hook it runs: keep the lines that say what
    // changed ("1 added, 0 removed") and any error.
    private static string Summary(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var telling = lines.Where(line => line.Contains("added", StringComparison.Ordinal) || line.Contains("removed", StringComparison.Ordinal)
            || line.StartsWith("E:", StringComparison.Ordinal) || line.Contains("error", StringComparison.OrdinalIgnoreCase)).ToList();
        return string.Join(" ", telling.Count > 0 ? telling : lines.Take(3));
    }

    private static string? FindCommand(string name)
        => new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin" }
            .Select(directory => Path.Combine(directory, name)).FirstOrDefault(File.Exists);
}
