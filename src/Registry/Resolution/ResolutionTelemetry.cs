using System.Diagnostics;
using Registry.Contracts;

namespace Registry.Resolution;

/// <summary>
/// The resolver's traces: one span per chunk (<see cref="ChunkSpan"/>) with a child span per step, named
/// as the step names itself (<c>Steps/</c>). A host records them by adding <see cref="SourceName"/> to its
/// tracing (the workers host does); with no listener a span is never created and costs nothing. Spans of
/// the steps that run under the resolution lock carry <see cref="LockedTag"/>, so a trace — or a
/// benchmark's listener — shows how much of a chunk's time holds every other worker back.
/// </summary>
public static class ResolutionTelemetry
{
    public const string SourceName = "Registry.Resolution";

    /// <summary>The span of one chunk, from its claim to its completion.</summary>
    public const string ChunkSpan = "resolve-chunk";

    /// <summary>
    /// The span of the time a chunk holds the resolution lock: from the lock taken to the identity phase's commit.
    /// Not tagged <see cref="LockedTag"/> (it encloses the steps that are): its duration over the chunk's is the
    /// share of a chunk's wall time that holds every other worker back.
    /// </summary>
    public const string LockHeldSpan = "lock-held";

    /// <summary>Tag of a step span that ran under the resolution lock (true).</summary>
    public const string LockedTag = "registry.resolution.locked";

    private static readonly ActivitySource Source = new(SourceName);
    private static readonly System.Diagnostics.Metrics.Meter Meter = new(SourceName);

    /// <summary>
    /// Rows whose candidate lookup met a generic blocking key — one filed by more records than
    /// <see cref="Registry.Matching.CandidateIndex.MaxBlockCandidates"/>, which finds no one
    /// (<c>registry.all_keys_full</c>: whether every key filed by anyone was generic — then the row had no candidate at
    /// all). Grows with the registry: the alarm that candidates are being lost, where a silent cap would not say.
    /// </summary>
    private static readonly System.Diagnostics.Metrics.Counter<long> FullBlockRows = Meter.CreateCounter<long>(
        "registry.resolution.rows_in_full_blocks", unit: "{row}", description: "Rows whose candidate lookup met generic (over-full) blocking keys");

    internal static void CountFullBlocks(Activity? span, int metFull, int onlyFull)
    {
        span?.SetTag("registry.rows_in_full_blocks", metFull);
        span?.SetTag("registry.rows_only_in_full_blocks", onlyFull);
        if (metFull - onlyFull > 0) FullBlockRows.Add(metFull - onlyFull, new KeyValuePair<string, object?>("registry.all_keys_full", false));
        if (onlyFull > 0) FullBlockRows.Add(onlyFull, new KeyValuePair<string, object?>("registry.all_keys_full", true));
    }

    internal static Activity? Chunk(ResolveSourceRows chunk)
    {
        var span = Source.StartActivity(ChunkSpan);
        span?.SetTag("registry.extract_id", chunk.ExtractId);
        span?.SetTag("registry.chunk_index", chunk.ChunkIndex);
        span?.SetTag("registry.rows", chunk.Rows.Count);
        return span;
    }

    internal static Activity? Step(string name, bool locked = false)
    {
        var span = Source.StartActivity(name);
        if (locked) span?.SetTag(LockedTag, true);
        return span;
    }
}
