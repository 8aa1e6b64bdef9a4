using System.Diagnostics;
using System.Globalization;

namespace WssKit.Diagnostics.Probes;

/// <summary>Collects one stage's facts while it runs, and times it.</summary>
internal sealed class StageRecorder(string name)
{
    private readonly List<KeyValuePair<string, string>> _facts = [];
    private readonly long _started = Stopwatch.GetTimestamp();

    public string Name => name;

    public void Add(string fact, string value) => _facts.Add(KeyValuePair.Create(fact, value));

    public void Add(string fact, TimeSpan value) => Add(fact, Milliseconds(value));

    public StageReport Finish(StageOutcome outcome) => new(name, outcome, Stopwatch.GetElapsedTime(_started), _facts);

    public static string Milliseconds(TimeSpan value) => value.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
}
