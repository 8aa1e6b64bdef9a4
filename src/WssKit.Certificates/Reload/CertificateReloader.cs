namespace WssKit.Certificates.Reload;

/// <summary>
/// Keeps certificate slots fresh: reloads a slot when its files change (watched, and polled as a safety net, since
/// certbot swaps symlinks and network file systems drop events), when its certificate is due for renewal, and on
/// request (SIGHUP). Outcomes are reported through <see cref="Reloaded"/>; nothing is printed.
/// </summary>
public sealed class CertificateReloader : IDisposable
{
    /// <summary>How often files are checked even when no change event arrived.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    // Editors and certbot write a file in several steps: wait for the burst of events to end before reading.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    private readonly IReadOnlyList<CertificateSlot> _slots;
    private readonly Dictionary<CertificateSlot, string> _stamps = [];
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly ITimer _poll;
    private readonly ITimer _settle;
    private readonly Lock _gate = new();

    /// <summary>Starts watching the slots' files; the slots must already be loaded.</summary>
    public CertificateReloader(IReadOnlyList<CertificateSlot> slots, TimeProvider time)
    {
        _slots = slots;
        foreach (var slot in slots)
        {
            _stamps[slot] = FileStamp.Of(slot.Source.WatchedFiles);
        }
        foreach (var directory in slots.SelectMany(slot => slot.Source.WatchedFiles).Select(FullDirectory).Distinct())
        {
            _watchers.Add(Watch(directory));
        }
        _settle = time.CreateTimer(_ => CheckAll(force: false), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _poll = time.CreateTimer(_ => CheckAll(force: false), null, PollInterval, PollInterval);
    }

    /// <summary>Raised for every slot that was loaded again, whatever the outcome.</summary>
    public event Action<ReloadOutcome>? Reloaded;

    /// <summary>Loads every slot again now, changed or not (what SIGHUP asks for).</summary>
    public IReadOnlyList<ReloadOutcome> ReloadAll() => CheckAll(force: true);

    /// <inheritdoc />
    public void Dispose()
    {
        _poll.Dispose();
        _settle.Dispose();
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }
    }

    private IReadOnlyList<ReloadOutcome> CheckAll(bool force)
    {
        var outcomes = new List<ReloadOutcome>();
        lock (_gate)
        {
            foreach (var slot in _slots)
            {
                var stamp = FileStamp.Of(slot.Source.WatchedFiles);
                if (!force && stamp == _stamps[slot] && !slot.RenewalDue)
                {
                    continue;
                }
                var outcome = slot.Reload();
                // A refused file is not retried until it changes again; a refused renewal is retried at every poll.
                _stamps[slot] = stamp;
                outcomes.Add(outcome);
            }
        }
        foreach (var outcome in outcomes)
        {
            Reloaded?.Invoke(outcome);
        }
        return outcomes;
    }

    private FileSystemWatcher Watch(string directory)
    {
        var watcher = new FileSystemWatcher(directory)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        FileSystemEventHandler changed = (_, _) => _settle.Change(Settle, Timeout.InfiniteTimeSpan);
        watcher.Changed += changed;
        watcher.Created += changed;
        watcher.Deleted += changed;
        watcher.Renamed += (_, _) => _settle.Change(Settle, Timeout.InfiniteTimeSpan);
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private static string FullDirectory(string file) => Path.GetDirectoryName(Path.GetFullPath(file))!;
}
