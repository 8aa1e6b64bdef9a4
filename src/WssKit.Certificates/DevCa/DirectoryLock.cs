namespace WssKit.Certificates.DevCa;

/// <summary>
/// An exclusive lock on a file in the data directory, so two servers sharing it never create two authorities or
/// issue two leaves at once. Held while the returned object lives.
/// </summary>
internal static class DirectoryLock
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static IDisposable Acquire(string path)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
            catch (IOException e)
            {
                throw new CertificateException($"another process has held the lock {path} for {Patience.TotalSeconds:0} s ({e.Message.TrimEnd('.')}): if no other wss process runs, delete that file");
            }
        }
    }
}
