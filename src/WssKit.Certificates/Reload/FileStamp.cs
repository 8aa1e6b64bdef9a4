using System.Security.Cryptography;

namespace WssKit.Certificates.Reload;

/// <summary>
/// A summary of files (the final target of each symlink, its size, modification time and content hash) that changes
/// whenever one of them is replaced.
/// </summary>
internal static class FileStamp
{
    public static string Of(IEnumerable<string> paths) => string.Join('|', paths.Select(Of));

    private static string Of(string path)
    {
        try
        {
            var file = new FileInfo(path);
            var target = file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
            // The content's hash too: copies that keep the old modification time (cp -p, rsync -t) and file systems
            // with coarse or lagging timestamps must not hide a new certificate. The files are a few kilobytes.
            return target.Exists
                ? $"{target.FullName}:{target.Length}:{target.LastWriteTimeUtc.Ticks}:{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(target.FullName)))}"
                : $"{path}:missing";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{path}:unreadable";
        }
    }
}
