using System.Collections.Concurrent;
using System.Diagnostics;
using Registry.Resolution;

namespace Registry.Benchmarks;

/// <summary>
/// Where a chunk's time goes, for tuning (<c>REGISTRY_PROFILE=1</c> under <c>make bench-resolve</c>): listens to
/// the resolver's trace spans (<see cref="ResolutionTelemetry"/>) and adds each step's wall time to a process-wide
/// total, printed every 20 chunks. A span's events add their own totals: a timed wait (its <c>wait_ms</c>, e.g.
/// <c>index-gate-wait</c>, marked <c>-in-lock</c> when its step held the resolution lock) or a mark (the time since
/// the span's previous mark, e.g. the golden-record refresh's <c>golden-lock</c>, <c>golden-read</c>,
/// <c>golden-compute</c>). <c>locked</c> sums the steps under the resolution lock, <c>resolve-chunk</c> whole chunks.
/// </summary>
internal sealed class StepProfile : IDisposable
{
    private readonly ConcurrentDictionary<string, double> totals = new();
    private readonly ActivityListener listener;
    private int chunks;

    private StepProfile()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ResolutionTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>On when <c>REGISTRY_PROFILE=1</c>; otherwise null, and the resolver creates no spans.</summary>
    public static StepProfile? FromEnvironment() => Environment.GetEnvironmentVariable("REGISTRY_PROFILE") == "1" ? new StepProfile() : null;

    private void Stopped(Activity span)
    {
        Add(span.DisplayName, span.Duration.TotalMilliseconds);
        var locked = span.GetTagItem(ResolutionTelemetry.LockedTag) is true;
        if (locked) Add("locked", span.Duration.TotalMilliseconds);
        var mark = span.StartTimeUtc;
        foreach (var e in span.Events)
        {
            if (e.Tags.FirstOrDefault(t => t.Key == "wait_ms").Value is double wait)
                Add(locked ? e.Name + "-in-lock" : e.Name, wait);
            else
            {
                Add(e.Name, (e.Timestamp.UtcDateTime - mark).TotalMilliseconds);
                mark = e.Timestamp.UtcDateTime;
            }
        }
        if (span.DisplayName == ResolutionTelemetry.ChunkSpan && Interlocked.Increment(ref chunks) % 20 == 0)
            Console.WriteLine(string.Join(" ", totals.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}={k.Value:F0}ms")));
    }

    private void Add(string name, double ms) => totals.AddOrUpdate(name, ms, (_, v) => v + ms);

    public void Dispose() => listener.Dispose();
}
