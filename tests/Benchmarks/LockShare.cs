using System.Diagnostics;
using Registry.Resolution;

namespace Registry.Benchmarks;

/// <summary>
/// The share of a chunk's wall time spent holding the resolution lock, summed over chunks: the resolver's
/// <see cref="ResolutionTelemetry.LockHeldSpan"/> (from the lock taken to the identity phase's commit) over its
/// <see cref="ResolutionTelemetry.ChunkSpan"/>. What bounds the throughput of any number of consumers: with a share s,
/// the lock lets at most 1/s chunks run side by side. Always on in bench-resolve (a listener makes the resolver build
/// its ~20 spans a chunk, a cost too small to see beside a chunk's ~200 ms).
/// </summary>
internal sealed class LockShare : IDisposable
{
    private readonly ActivityListener listener;
    private long heldTicks;
    private long chunkTicks;

    public LockShare()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ResolutionTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = span =>
            {
                if (span.DisplayName == ResolutionTelemetry.LockHeldSpan) Interlocked.Add(ref heldTicks, span.Duration.Ticks);
                else if (span.DisplayName == ResolutionTelemetry.ChunkSpan) Interlocked.Add(ref chunkTicks, span.Duration.Ticks);
            },
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>Held and chunk time so far, to take a phase's share as the difference of two readings.</summary>
    public (TimeSpan Held, TimeSpan Chunks) Reading => (TimeSpan.FromTicks(Interlocked.Read(ref heldTicks)), TimeSpan.FromTicks(Interlocked.Read(ref chunkTicks)));

    public static double Share((TimeSpan Held, TimeSpan Chunks) from, (TimeSpan Held, TimeSpan Chunks) to) =>
        to.Chunks == from.Chunks ? 0 : (to.Held - from.Held) / (to.Chunks - from.Chunks);

    public void Dispose() => listener.Dispose();
}
