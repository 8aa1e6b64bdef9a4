using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// strace attached to a running process (every thread): the system calls it made while attached, in order, each
/// with its first argument (a descriptor, for socket calls) and its result. For tests of what the server asks the
/// kernel, such as how many sends a message costs.
/// </summary>
public sealed partial class SyscallTrace : IDisposable
{
    private readonly Process _strace;
    private readonly TempDirectory _folder;

    private SyscallTrace(Process strace, TempDirectory folder)
    {
        _strace = strace;
        _folder = folder;
    }

    private string OutputFile => Path.Combine(_folder.Path, "trace.txt");

    /// <summary>Attaches to every thread of <paramref name="processId"/>, tracing only <paramref name="calls"/>.</summary>
    public static async Task<SyscallTrace> AttachAsync(int processId, params string[] calls)
    {
        var folder = new TempDirectory();
        var start = new ProcessStartInfo("strace", ["-f", "-e", "trace=" + string.Join(',', calls), "-o", Path.Combine(folder.Path, "trace.txt"),
            "-p", processId.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardError = true,
        };
        var strace = Process.Start(start)!;
        var attached = new TaskCompletionSource();
        strace.ErrorDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("attached", StringComparison.Ordinal) == true)
            {
                attached.TrySetResult();
            }
        };
        strace.BeginErrorReadLine();
        await attached.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(500); // strace reports the threads one by one: all of them, not only the first
        return new SyscallTrace(strace, folder);
    }

    /// <summary>Detaches, and returns the calls seen, in the order they began.</summary>
    public async Task<IReadOnlyList<Syscall>> StopAsync()
    {
        Signals.Send(_strace.Id, Signals.SIGINT);
        await _strace.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return Parse(File.ReadAllLines(OutputFile));
    }

    public void Dispose()
    {
        if (!_strace.HasExited)
        {
            _strace.Kill();
        }
        _strace.Dispose();
        _folder.Dispose();
    }

    /// <summary>
    /// strace -f's lines: "TID name(args) = result", or, where threads interleave, "TID name(args &lt;unfinished ...&gt;"
    /// and later "TID &lt;... name resumed&gt;rest) = result".
    /// </summary>
    private static List<Syscall> Parse(IEnumerable<string> lines)
    {
        var calls = new List<Syscall>();
        var unfinished = new Dictionary<string, int>(); // thread -> index of its call waiting for a result
        foreach (var line in lines)
        {
            if (Resumed().Match(line) is { Success: true } resumed)
            {
                if (unfinished.Remove(resumed.Groups["thread"].Value, out var index))
                {
                    calls[index] = calls[index] with { Result = Result(resumed.Groups["rest"].Value) };
                }
                continue;
            }
            if (Call().Match(line) is not { Success: true } call)
            {
                continue; // signals, exits, "+++" lines
            }
            var first = call.Groups["first"].Value;
            var syscall = new Syscall(call.Groups["name"].Value, long.TryParse(first, CultureInfo.InvariantCulture, out var number) ? number : null, null);
            if (line.EndsWith("<unfinished ...>", StringComparison.Ordinal))
            {
                unfinished[call.Groups["thread"].Value] = calls.Count;
            }
            else
            {
                syscall = syscall with { Result = Result(line) };
            }
            calls.Add(syscall);
        }
        return calls;
    }

    private static long? Result(string text) => ResultPart().Match(text) is { Success: true } match
        ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
        : null;

    [GeneratedRegex(@"^(?<thread>\d+)\s+(?<name>\w+)\((?<first>[^,)\s]*)")]
    private static partial Regex Call();

    [GeneratedRegex(@"^(?<thread>\d+)\s+<\.\.\. \w+ resumed>(?<rest>.*)$")]
    private static partial Regex Resumed();

    [GeneratedRegex(@"\)\s+=\s+(-?\d+)")]
    private static partial Regex ResultPart();
}

/// <summary>One system call: its name, its first argument when a number (a descriptor), and its result (-1 on an error).</summary>
public sealed record Syscall(string Name, long? First, long? Result);
