using System.Text;

namespace WssKit.Certificates;

/// <summary>Writes files that hold secrets: readable by the owner only, replaced atomically.</summary>
internal static class SecureFile
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the directory (mode 0700 when new) and returns its full path.</summary>
    public static string EnsureDirectory(string path)
    {
        var full = Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(full);
            }
            else
            {
                Directory.CreateDirectory(full, OwnerOnlyDirectory);
            }
        }
        return full;
    }

    /// <summary>
    /// Writes <paramref name="text"/> to a temporary file created with mode 0600 (or 0644 when
    /// <paramref name="secret"/> is false), then renames it over <paramref name="path"/>, so a reader never
    /// sees a half-written file and a key is never readable by others, not even for a moment.
    /// </summary>
    public static void WriteAllText(string path, string text, bool secret)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        File.Delete(temporary); // a stale one from a crash would keep its old mode
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret ? OwnerReadWrite : OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
