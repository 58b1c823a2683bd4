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

    /// <summary>Held and chunk time so far, and the locked steps' totals, to take a phase's figures as the difference of two readings.</summary>
    public Snapshot Reading => new(TimeSpan.FromTicks(Interlocked.Read(ref heldTicks)), TimeSpan.FromTicks(Interlocked.Read(ref chunkTicks)),
        Interlocked.Read(ref chunks), new Dictionary<string, double>(lockedMs));

    public sealed record Snapshot(TimeSpan Held, TimeSpan Chunks, long Count, Dictionary<string, double> LockedMs);

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

    public void Dispose() => listener.Dispose();
}
