namespace Registry.Resolution;

/// <summary>
/// How many chunks one process works on at once (<c>Bus:ConcurrentChunks</c>). In canonical order a process takes
/// <see cref="WaitingPerSlot"/> times as many chunks from the queue: a chunk holds a slot only while it works before its
/// turn (candidates, early scores, staging) and waits for its turn without one. So the chunk every other waits for is
/// never kept out of a slot by the chunks waiting for it — chunks reach the queue out of order when sends race or a
/// chunk goes back to the queue. The chunk in its turn runs without a slot: only one is, in the whole registry, and
/// every other chunk waits for it.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The semaphore never creates its wait handle. Disposed with the host's container, it would throw at the chunks still giving their slots back on the way out, and fault them.")]
public sealed class ResolutionSlots(int count)
{
    /// <summary>Chunks a process takes from the queue per slot: ahead of the parser's racing sends (8 in flight).</summary>
    public const int WaitingPerSlot = 4;

    private readonly SemaphoreSlim _free = new(Math.Max(1, count), Math.Max(1, count));

    /// <summary>Slots of this process.</summary>
    public int Count { get; } = Math.Max(1, count);

    /// <summary>Waits for a free slot; dispose the result to give it back.</summary>
    public async Task<IDisposable> TakeAsync(CancellationToken ct)
    {
        await _free.WaitAsync(ct);
        return new Slot(_free);
    }

    private sealed class Slot(SemaphoreSlim free) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) free.Release();
        }
    }
}
