namespace WssKit.FunctionalTests.Check;

/// <summary>
/// wss check judges time (slowness, jitter) and healthy endpoints must show none, so its lab runs alone, after the
/// parallel tests: a machine busy with load tests would otherwise put its own pauses into the round trips.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "wss check lab (timing-sensitive)";
}
