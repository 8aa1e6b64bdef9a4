namespace WssKit.Testing;

/// <summary>Paths in the repository, found from the test's output folder.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The folder of the peers we did not write: Node's ws (node_modules) and Python's websockets scripts.</summary>
    public static string Peers => Path.Combine(Root, "test", "peers");

    /// <summary>The wss tool, built beside the tests.</summary>
    public static string WssDll => Path.Combine(AppContext.BaseDirectory, "wss.dll");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "wss.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("the repository root (wss.slnx) is not above " + AppContext.BaseDirectory);
    }
}
