using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Registry.Resolution;

namespace Registry.Benchmarks;

/// <summary>
/// The share of a chunk's wall time spent holding the resolution lock, summed over chunks: the resolver's
/// <see cref="ResolutionTelemetry.LockHeldSpan"/> (from the lock taken to the identity phase's commit) over its
/// <see cref="ResolutionTelemetry.ChunkSpan"/>. What bounds the throughput of any number of consumers: with a share s,
/// the lock lets at most 1/s chunks run side by side. Always on in bench-resolve (a listener makes the resolver build
/// its ~20 spans a chunk, a cost too small to see beside a chunk's ~200 ms). Also sums what runs under the lock, step by
/// step: the spans tagged <see cref="ResolutionTelemetry.LockedTag"/> and the profile marks inside them (a mark counts
/// the time since the span's previous one), so <see cref="Breakdown"/> says where the locked time of a chunk goes.
/// </summary>
internal sealed class LockShare : IDisposable
{
    private readonly ActivityListener listener;
    private readonly ConcurrentDictionary<string, double> lockedMs = new();
    private readonly ConcurrentDictionary<string, double> stepMs = new();
    private long candidates;
    private long personsInReach;
    private long heldTicks;
    private long chunkTicks;
    private long chunks;

    public LockShare()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ResolutionTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(listener);
    }

    private void Stopped(Activity span)
    {
        Step(span);
        if (span.DisplayName == ResolutionTelemetry.LockHeldSpan) Interlocked.Add(ref heldTicks, span.Duration.Ticks);
        else if (span.DisplayName == ResolutionTelemetry.ChunkSpan)
        {
            Interlocked.Add(ref chunkTicks, span.Duration.Ticks);
            Interlocked.Increment(ref chunks);
        }
        else if (span.GetTagItem(ResolutionTelemetry.LockedTag) is true)
        {
            Add(span.DisplayName, span.Duration.TotalMilliseconds);
            var mark = span.StartTimeUtc;
            foreach (var e in span.Events)
            {
                if (e.Tags.Any(t => t.Key == "wait_ms")) continue; // a timed wait, not a mark
                Add(span.DisplayName + "/" + e.Name, (e.Timestamp.UtcDateTime - mark).TotalMilliseconds);
                mark = e.Timestamp.UtcDateTime;
            }
        }
    }

    private void Add(string name, double ms) => lockedMs.AddOrUpdate(name, ms, (_, v) => v + ms);

    /// <summary>
    /// Every step, locked or not (a locked one marked <c>*</c>), and its marks (<c>step/mark</c>); the chunk and
    /// lock-held spans as wholes; and the decide step's candidates and persons in reach, summed.
    /// </summary>
    private void Step(Activity span)
    {
        var name = span.GetTagItem(ResolutionTelemetry.LockedTag) is true ? span.DisplayName + "*" : span.DisplayName;
        stepMs.AddOrUpdate(name, span.Duration.TotalMilliseconds, (_, v) => v + span.Duration.TotalMilliseconds);
        var mark = span.StartTimeUtc;
        foreach (var e in span.Events)
        {
            if (e.Tags.Any(t => t.Key == "wait_ms")) continue;
            var ms = (e.Timestamp.UtcDateTime - mark).TotalMilliseconds;
            stepMs.AddOrUpdate(name + "/" + e.Name, ms, (_, v) => v + ms);
            mark = e.Timestamp.UtcDateTime;
        }
        if (span.GetTagItem("registry.candidates") is int c) Interlocked.Add(ref candidates, c);
        if (span.GetTagItem("registry.persons_in_reach") is int p) Interlocked.Add(ref personsInReach, p);
    }

    /// <summary>Held and chunk time so far, and the locked steps' totals, to take a phase's figures as the difference of two readings.</summary>
    public Snapshot Reading => new(TimeSpan.FromTicks(Interlocked.Read(ref heldTicks)), TimeSpan.FromTicks(Interlocked.Read(ref chunkTicks)),
        Interlocked.Read(ref chunks), new Dictionary<string, double>(lockedMs), new Dictionary<string, double>(stepMs),
        Interlocked.Read(ref candidates), Interlocked.Read(ref personsInReach));

    public sealed record Snapshot(TimeSpan Held, TimeSpan Chunks, long Count, Dictionary<string, double> LockedMs,
        Dictionary<string, double> StepMs, long Candidates, long PersonsInReach);

    public static double Share(Snapshot from, Snapshot to) =>
        to.Chunks == from.Chunks ? 0 : (to.Held - from.Held) / (to.Chunks - from.Chunks);

    /// <summary>
    /// Milliseconds a chunk, between two readings: the time held, each locked step (largest first), and within a step
    /// its marks (<c>step/mark</c>).
    /// </summary>
    public static string Breakdown(Snapshot from, Snapshot to)
    {
        var n = Math.Max(1, to.Count - from.Count);
        var held = (to.Held - from.Held).TotalMilliseconds / n;
        var steps = to.LockedMs.Select(kv => (kv.Key, Ms: (kv.Value - from.LockedMs.GetValueOrDefault(kv.Key)) / n)).ToList();
        string Line(IEnumerable<(string Key, double Ms)> items) =>
            string.Join(" ", items.OrderByDescending(s => s.Ms).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key}={s.Ms:F1}")));
        return string.Create(CultureInfo.InvariantCulture, $"held={held:F1} ms a chunk ({n} chunks): ") + Line(steps.Where(s => !s.Key.Contains('/', StringComparison.Ordinal))) +
            "; within steps: " + Line(steps.Where(s => s.Key.Contains('/', StringComparison.Ordinal)));
    }

    /// <summary>
    /// Milliseconds a chunk of every step between two readings (locked ones marked <c>*</c>; largest first, then the
    /// marks within steps), and the candidates and persons in reach a row had at the decide step.
    /// </summary>
    public static string AllSteps(Snapshot from, Snapshot to, long rows)
    {
        var n = Math.Max(1, to.Count - from.Count);
        var steps = to.StepMs.Select(kv => (kv.Key, Ms: (kv.Value - from.StepMs.GetValueOrDefault(kv.Key)) / n)).ToList();
        string Line(IEnumerable<(string Key, double Ms)> items) =>
            string.Join(" ", items.OrderByDescending(s => s.Ms).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key}={s.Ms:F1}")));
        var perRow = Math.Max(1, rows);
        return string.Create(CultureInfo.InvariantCulture,
            $"candidates/row={(double)(to.Candidates - from.Candidates) / perRow:F1} persons_in_reach/row={(double)(to.PersonsInReach - from.PersonsInReach) / perRow:F2}; ms a chunk ({n} chunks): ") +
            Line(steps.Where(s => !s.Key.Contains('/', StringComparison.Ordinal))) +
            "; within steps: " + Line(steps.Where(s => s.Key.Contains('/', StringComparison.Ordinal)));
    }

    public void Dispose() => listener.Dispose();
}
