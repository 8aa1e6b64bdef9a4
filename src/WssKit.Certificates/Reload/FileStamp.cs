namespace WssKit.Certificates.Reload;

/// <summary>
/// A cheap summary of files (the final target of each symlink, its size and modification time) that changes
/// whenever one of them is replaced, without reading their contents.
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
            return target.Exists ? $"{target.FullName}:{target.Length}:{target.LastWriteTimeUtc.Ticks}" : $"{path}:missing";
        }
        catch (IOException)
        {
            return $"{path}:unreadable";
        }
    }
}
