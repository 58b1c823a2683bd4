namespace Registry.Resolution;

/// <summary>
/// Where a chunk's time goes, for tuning: with <c>REGISTRY_PROFILE=1</c> in the environment, each
/// phase of <see cref="ChunkResolver.ApplyAsync"/> (and each statement of its set-based apply,
/// run one by one then) adds its wall time to a process-wide total, printed every 20 chunks
/// (e.g. under <c>make bench-resolve</c>). Off by default: then every call returns at once.
/// </summary>
public static class ResolutionProfile
{
    private static readonly bool On = Environment.GetEnvironmentVariable("REGISTRY_PROFILE") == "1";
    public static bool Enabled => On;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Totals = new();
    private static readonly AsyncLocal<long[]> Last = new();
    private static int count;
    public static void Start() { if (On) Last.Value = [System.Diagnostics.Stopwatch.GetTimestamp(), 0]; }
    /// <summary>Adds a measured span (e.g. a wait inside a phase) to its own total, without ending the phase.</summary>
    public static void Add(string name, long stopwatchTicks)
    {
        if (!On || Last.Value is null) return;
        // Under the resolution lock (between the marks "lock-wait" and "commit") a wait delays every consumer.
        if (Last.Value[1] == 1) name += "-in-lock";
        Totals.AddOrUpdate(name, stopwatchTicks, (_, v) => v + stopwatchTicks);
    }

    public static void Mark(string name)
    {
        if (!On || Last.Value is null) return; // marks outside a chunk (e.g. a steward's merge) are not profiled
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var last = Last.Value[0];
        Totals.AddOrUpdate(name, now - last, (_, v) => v + now - last);
        Last.Value[0] = now;
        if (name == "lock-wait") Last.Value[1] = 1;
        else if (name == "commit") Last.Value[1] = 0;
        if (name == "commit" && Interlocked.Increment(ref count) % 20 == 0)
            Console.WriteLine(string.Join(" ", Totals.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value * 1000 / System.Diagnostics.Stopwatch.Frequency}ms")));
    }
}
