using System.Diagnostics;
using System.Globalization;
using Registry.Matching;

namespace Registry.Benchmarks;

/// <summary>
/// `Benchmarks index`: the candidate index alone, in memory (no database), driven as two competing
/// resolvers drive it. For each chunk of bench-resolve's rows: the early lookup (before the lock),
/// then the chunk before it is filed (the other consumer committed meanwhile), then the catch-up
/// (under the lock, in the resolver). Prints the time of each step per chunk, the garbage
/// collector's work, the heap the index holds and how long one full blocking collection takes with
/// it alive — what every gen2 collection of a workers host pays to walk it. A digest of every
/// catch-up's answer (equal digests: the same candidates in the same order).
/// </summary>
public static class IndexBenchmark
{
    public static int Run(string[] args)
    {
        var records = BenchArgs.Int(args, "--records", 1_000_000);
        var chunkSize = BenchArgs.Int(args, "--chunk", 2000);
        var sw = Stopwatch.StartNew();
        var rows = ResolveBenchmark.Rows(0, records, Math.Max(1, (int)(records * 0.6)), 0).ToList();
        // Ids in row order, as a resolver's time-ordered ids mostly are; fixed, so that runs compare by digest.
        var features = rows.Select((r, i) => MatchRecord.From(r, new Guid(i, 0, 0, new byte[8]), new Guid(i, 1, 0, new byte[8]))).ToList();
        // As the resolver looks rows up (QueryKeyHashes: broad keys kept by the names), or with --plain every key's block whole.
        var plain = args.Contains("--plain");
        var keys = features.Select(f =>
        {
            if (!plain) return (IReadOnlyList<ulong>)f.QueryKeyHashes();
            var list = new List<ulong>();
            f.KeyHashes(query: true, list);
            return (IReadOnlyList<ulong>)list.Distinct().ToArray();
        }).ToList();
        Console.WriteLine($"{records:N0} rows prepared in {sw.Elapsed.TotalSeconds:F0} s; chunks of {chunkSize}");

        var index = new CandidateIndex();
        var chunks = Enumerable.Range(0, (records + chunkSize - 1) / chunkSize)
            .Select(c => (Start: c * chunkSize, Count: Math.Min(chunkSize, records - c * chunkSize))).ToList();
        var (lookupT, fileT, catchUpT) = (0L, 0L, 0L);
        var (millionLookupT, millionChunks) = (0L, 0);
        long candidates = 0;
        ulong digest = 14695981039346656037UL;
        var gcCounts = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        var pause = GC.GetTotalPauseDuration();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        for (var c = 0; c < chunks.Count; c++)
        {
            var (start, count) = chunks[c];
            var lookups = Enumerable.Range(start, count).Select(i => (RowNumber: i + 1, QueryKeys: keys[i])).ToList();
            var t0 = Stopwatch.GetTimestamp();
            var early = index.LookupInMemory(lookups);
            var t1 = Stopwatch.GetTimestamp();
            if (c > 0) index.FileInMemory(features.GetRange(chunks[c - 1].Start, chunks[c - 1].Count));
            var t2 = Stopwatch.GetTimestamp();
            var found = index.CatchUpInMemory(early, lookups);
            var t3 = Stopwatch.GetTimestamp();
            (lookupT, fileT, catchUpT) = (lookupT + t1 - t0, fileT + t2 - t1, catchUpT + t3 - t2);
            (millionLookupT, millionChunks) = (millionLookupT + t1 - t0, millionChunks + 1);
            if ((start + count) % 1_000_000 == 0 || c == chunks.Count - 1)
            {
                // How the early lookup grows with the index: what resolution's candidates step pays per chunk.
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  rows to {start + count,10:N0}: early lookup {millionLookupT * 1000.0 / Stopwatch.Frequency / millionChunks:F2} ms a chunk"));
                (millionLookupT, millionChunks) = (0L, 0);
            }
            candidates += found.Count;
            foreach (var f in found)
            {
                digest = (digest ^ (ulong)f.RowNumber) * 1099511628211UL;
                digest = (digest ^ (ulong)f.Record.SourceRecordId.GetHashCode()) * 1099511628211UL;
            }
        }
        index.FileInMemory(features.GetRange(chunks[^1].Start, chunks[^1].Count));
        var wall = sw.Elapsed.TotalSeconds;
        var gc = new[] { GC.CollectionCount(0) - gcCounts[0], GC.CollectionCount(1) - gcCounts[1], GC.CollectionCount(2) - gcCounts[2] };
        var cpuUsed = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var paused = (GC.GetTotalPauseDuration() - pause).TotalSeconds;
        features.Clear();
        rows.Clear();
        keys.Clear();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var full = Stopwatch.StartNew();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        var fullMs = full.Elapsed.TotalMilliseconds;
        var heap = GC.GetTotalMemory(forceFullCollection: false) / (1 << 20); // the index, all but alone
        var n = chunks.Count;
        var ci = CultureInfo.InvariantCulture;
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency / n;
        Console.WriteLine(string.Create(ci, $"per chunk: early lookup {Ms(lookupT):F2} ms, filing {Ms(fileT):F2} ms, catch-up {Ms(catchUpT):F2} ms; {candidates / (double)records:F1} candidates a row"));
        Console.WriteLine(string.Create(ci, $"{wall:F1} s, {cpuUsed:F1} CPU-s; GC paused {paused:F1} s in {gc[0]} / {gc[1]} / {gc[2]} collections; index heap {heap:N0} MB ({index.TableBytes / (double)records:F0} bytes a record in its tables); a full blocking collection {fullMs:F0} ms"));
        Console.WriteLine(string.Create(ci, $"RESULT lookup_ms={Ms(lookupT):F2} file_ms={Ms(fileT):F2} catchup_ms={Ms(catchUpT):F2} full_gc_ms={fullMs:F0} heap_mb={heap} digest={digest:x16}"));
        GC.KeepAlive(index);
        return 0;
    }
}
