using Npgsql;

namespace Registry.Matching;

/// <summary>
/// Where a row's candidates are found: an in-memory blocking index of every stored match record,
/// held by each resolving process. A record is filed under the hashes of its
/// <see cref="MatchRecord.BlockingKeys"/>; a row's candidates are the records filed under its
/// <see cref="MatchRecord.QueryKeys"/>. A key filed by more than <see cref="MaxBlockCandidates"/> records is
/// <i>generic</i> (a common name born on a common date, at a state's size): it finds no one, and its records are found
/// through their other keys — never a silent first-200 of the block, which made a later-filed match invisible.
/// A row's broad keys (those holding one surname only, marked in its <see cref="QueryKeySet"/>) give it only the members
/// <see cref="MatchRecord.NamesNear"/> keeps, in the lookup and the catch-up alike: their blocks grow with the registry.
/// <para>
/// It stays exact across processes through <c>match_records.seq</c>: every write of
/// a match record — a new record, or its person moved by a merge or split — takes the next seq, and
/// writers hold the resolution lock until they commit, so reading <c>seq &gt; horizon</c> brings the
/// index up to date. Synced before the lock (for scoring ahead) and again under it (for deciding),
/// it answers as the registry stands when the decision is made. A resolver of this process files its own
/// chunk's records from memory right after its commit (<see cref="FileWrittenAsync"/>), so syncs read back
/// only what other processes, stewards and merges wrote. The first use loads the whole table;
/// the keys are always the code's own, so a change of <see cref="MatchRecord.BlockingKeys"/> needs no
/// migration. Memory: about 240 bytes a record at 10M records — records as structs (<see cref="RecordStore"/>), blocks in
/// pages (<see cref="BlockTable"/>), every table long-addressed, so none overflows before the int ordinals' 2^31 − 1.
/// Thread-safe: one sync or lookup at a time.
/// </para>
/// <para>
/// Generation check: each sync first asks whether the record the index last read (its seq and id) is still
/// there. It is not when the database is not the one indexed — restored to an earlier point, or a promoted
/// standby that missed the last commits — whose seqs may since have been given to other records the
/// "seq &gt; horizon" read would never see. The index then drops everything and loads afresh.
/// </para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification =
    "The gate's wait handle is never created, so there is nothing to dispose; a disposable singleton would be disposed at host shutdown under chunks still resolving.")]
public sealed class CandidateIndex
{
    public CandidateIndex() : this(1 << 20)
    {
    }

    /// <summary>Tests: a log of recent filings trimmed after <paramref name="recentKept"/> of them (default ~1M).</summary>
    internal CandidateIndex(int recentKept) => this.recentKept = recentKept;

    /// <summary>A blocking key filed by more records than this is generic: a lookup through it finds no one.</summary>
    public const int MaxBlockCandidates = 200;

    private readonly SemaphoreSlim gate = new(1, 1);
    // The records, compact (ids, interned names, dates as ints); a lookup builds the MatchRecords of its candidates.
    private RecordStore records = new();
    private BlockTable blocks = new(MaxBlockCandidates);
    // Every filing of a new record into a block's first MaxBlockCandidates members (key, ordinal), in
    // filing order, from the absolute position recentBase on: what a catch-up adds to an earlier lookup.
    private readonly List<(ulong Key, int Ordinal)> recent = [];
    private long recentBase;
    // Filings the log keeps at least: by default ~100k records' worth (at most ~11 keys each).
    private readonly int recentKept;
    private readonly List<ulong> keyHashes = [];
    // Keys that became generic, with the position of the log of recent filings (absolute) when they did: a catch-up of an
    // earlier lookup looks a row afresh up when one of its keys turned generic since, as a fresh lookup would not use it.
    private readonly List<(long Recent, ulong Key)> turnedGeneric = [];
    // The records re-filed (moved to another person by a merge or split), in order: what a catch-up re-reads.
    private readonly List<Guid> moved = [];
    // The valid CURPs each person's records carry, counted: one (in the first table), but for records a steward put
    // together (the others in the second). A tally names its CURP by a record carrying it: no string kept.
    private readonly Dictionary<Guid, CurpTally> curps = [];
    private readonly Dictionary<Guid, List<CurpTally>> moreCurps = [];
    private long horizon = -1;
    // The record that took seq = horizon: still there, with that seq, while the database is the one indexed.
    private Guid? anchor;
    // Bumped by each rebuild: a lookup from before one cannot be caught up.
    private int generation;

    private struct CurpTally(int latest)
    {
        public int Count = 1;
        public int Latest = latest; // the ordinal of its latest record carrying it: its CURP is that record's
    }

    /// <summary>Records indexed so far.</summary>
    public int Count => records.Count;

    /// <summary>
    /// Brings the index up to date. A resolver calls it right after its commit, outside the lock, so the
    /// next chunk's sync under the lock (while it first looks up its deterministic keys) has little left.
    /// </summary>
    public Task SyncAsync(NpgsqlConnection connection, CancellationToken ct) => SyncedAsync(connection, null, () => true, ct);

    /// <summary>
    /// Files match records a resolver of this process just committed, from memory instead of reading them
    /// back: <paramref name="records"/> took seqs <paramref name="first"/>..<paramref name="last"/> in
    /// their order. Only when they are the very next writes after what the index holds (nothing between
    /// still to read); otherwise nothing is filed and the next sync reads them as any other records.
    /// </summary>
    /// <returns>True when they were filed.</returns>
    public async Task<bool> FileWrittenAsync(long first, long last, IReadOnlyList<MatchRecord> records, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(records);
        await WaitGateAsync(ct);
        try
        {
            if (records.Count == 0 || horizon < 0 || first != horizon + 1 || last - first + 1 != records.Count) return false;
            foreach (var record in records) Add(record);
            horizon = last;
            anchor = records[^1].SourceRecordId;
            FiledFromWrites += records.Count;
            return true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Tests: records filed by <see cref="FileWrittenAsync"/> rather than read back.</summary>
    internal long FiledFromWrites { get; private set; }

    /// <summary>Benchmarks and tests, no database: files <paramref name="records"/> as a sync would read them.</summary>
    internal void FileInMemory(IEnumerable<MatchRecord> records)
    {
        foreach (var record in records) Add(record);
    }

    /// <summary>Benchmarks and tests, no database: <see cref="LookupAsync"/> without its sync.</summary>
    internal CandidateLookup LookupInMemory(IEnumerable<(int RowNumber, IReadOnlyList<ulong> QueryKeys)> rows)
    {
        var looked = rows.ToList();
        var found = Lookup(looked, out var metFull, out var onlyFull);
        if (onlyFull > 0)
        {
            var before = RowsOnlyInFullBlocks;
            RowsOnlyInFullBlocks += onlyFull;
            // Said once, then each time the count doubles: an alarm that grows with the problem, not a line per chunk.
            if (before == 0 || System.Numerics.BitOperations.Log2((ulong)RowsOnlyInFullBlocks) > System.Numerics.BitOperations.Log2((ulong)before))
                OverFullBlocks?.Invoke(this, new OverFullBlocksEventArgs(RowsOnlyInFullBlocks, Count));
        }
        return new CandidateLookup(found, [.. looked.Select(r => r.RowNumber)], moved.Count, recentBase + recent.Count)
        {
            Generation = generation, RowsMeetingFullBlocks = metFull, RowsOnlyInFullBlocks = onlyFull,
        };
    }

    /// <summary>Benchmarks and tests, no database: <see cref="CatchUpAsync"/> without its sync.</summary>
    internal List<CandidateRecord> CatchUpInMemory(CandidateLookup earlier, IEnumerable<(int RowNumber, IReadOnlyList<ulong> QueryKeys)> rows) =>
        CatchUp(earlier, rows);

    /// <summary>Tests: the records in filing order.</summary>
    internal IReadOnlyList<MatchRecord> Records => [.. Enumerable.Range(0, records.Count).Select(records.Get)];

    /// <summary>The bytes the index's own tables hold (records, blocks, the log of recent filings), for the benchmarks.</summary>
    internal long TableBytes => records.Bytes + blocks.Bytes + recent.Capacity * 16L;

    /// <summary>
    /// Brings the index up to date through <paramref name="connection"/>, then returns each row's
    /// candidates (row, record), ordered by row, then in the order the records were filed (their seq: the order the registry stored them).
    /// </summary>
    public async Task<List<CandidateRecord>> CandidatesAsync(NpgsqlConnection connection, NpgsqlTransaction? tx,
        IEnumerable<(int RowNumber, IReadOnlyList<ulong> QueryKeys)> rows, CancellationToken ct) =>
        (await LookupAsync(connection, tx, rows, ct)).Candidates;

    /// <summary>As <see cref="CandidatesAsync"/>, remembering where the index stood for a later <see cref="CatchUpAsync"/>.</summary>
    public Task<CandidateLookup> LookupAsync(NpgsqlConnection connection, NpgsqlTransaction? tx,
        IEnumerable<(int RowNumber, IReadOnlyList<ulong> QueryKeys)> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return SyncedAsync(connection, tx, () => LookupInMemory(rows), ct);
    }

    /// <summary>
    /// Brings the index up to date, then answers what <see cref="CandidatesAsync"/> would for
    /// <paramref name="rows"/> (some or all of those <paramref name="earlier"/> looked up) — the same
    /// candidates in the same order — from the earlier answer: only the records filed since are looked for,
    /// and the earlier ones a merge or split re-filed since are taken as they stand now. Under the
    /// resolution lock this is the whole catch-up: a chunk's rows against the chunk committed meanwhile.
    /// </summary>
    public Task<List<CandidateRecord>> CatchUpAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CandidateLookup earlier,
        IEnumerable<(int RowNumber, IReadOnlyList<ulong> QueryKeys)> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ArgumentNullException.ThrowIfNull(rows);
        return SyncedAsync(connection, tx, () => CatchUp(earlier, rows), ct);
    }

    private List<CandidateRecord> CatchUp(CandidateLookup earlier, IEnumerable<(int RowNumber, IReadOnlyList<ulong> QueryKeys)> rows)
    {
        // The log no longer reaches back to the earlier lookup (it is trimmed as it grows), or the index was
        // rebuilt since: look up afresh.
        if (earlier.Recent < recentBase || earlier.Generation != generation) return Lookup(rows);
        // Each row's earlier candidates are consecutive (looked up row by row).
        var ranges = new Dictionary<int, (int Start, int End)>();
        for (var i = 0; i < earlier.Candidates.Count; i++)
        {
            var row = earlier.Candidates[i].RowNumber;
            ranges[row] = ranges.TryGetValue(row, out var r) ? (r.Start, i + 1) : (i, i + 1);
        }
        HashSet<Guid>? refiled = earlier.Moves < moved.Count ? [.. moved.Skip(earlier.Moves)] : null;
        HashSet<ulong>? generic = null;
        for (var g = turnedGeneric.Count - 1; g >= 0 && turnedGeneric[g].Recent >= earlier.Recent; g--)
            (generic ??= []).Add(turnedGeneric[g].Key);
        // The records filed since, by key: what a lookup now finds beyond the earlier answer — a block's
        // members are in filing order, so those among its first MaxBlockCandidates are exactly these.
        // A small table of the last chunk or two, instead of a probe of every row's keys in the whole index.
        var from = (int)(earlier.Recent - recentBase);
        var since = new Dictionary<ulong, int>(recent.Count - from);
        var previous = new int[recent.Count - from];
        for (var i = from; i < recent.Count; i++)
        {
            var (key, _) = recent[i];
            previous[i - from] = since.TryGetValue(key, out var last) ? last : -1;
            since[key] = i - from;
        }
        var found = new List<CandidateRecord>(earlier.Candidates.Count);
        var seen = new HashSet<int>();
        var added = new List<int>();
        var built = new Built(records);
        foreach (var (row, keys) in rows)
        {
            if (!earlier.Rows.Contains(row) || (generic is not null && keys.Any(generic.Contains)))
            {
                found.AddRange(Lookup([(row, keys)]));
                continue;
            }
            seen.Clear();
            added.Clear();
            if (since.Count > 0)
            {
                var set = keys as QueryKeySet;
                for (var k = 0; k < keys.Count; k++)
                {
                    var filtered = set is not null && set.Filters(k);
                    for (var j = since.GetValueOrDefault(keys[k], -1); j >= 0; j = previous[j])
                    {
                        var ordinal = recent[from + j].Ordinal;
                        if ((!filtered || Keeps(set!, k, ordinal)) && seen.Add(ordinal)) added.Add(ordinal);
                    }
                }
            }
            if (ranges.TryGetValue(row, out var range))
                for (var i = range.Start; i < range.End; i++)
                {
                    var c = earlier.Candidates[i];
                    found.Add(refiled is not null && refiled.Contains(c.Record.SourceRecordId) && records.TryFind(c.Record.SourceRecordId, out var now)
                        ? new CandidateRecord(row, built.Get(now)) : c);
                }
            // Filed after every earlier candidate: in filing order, they follow them.
            added.Sort();
            foreach (var ordinal in added) found.Add(new CandidateRecord(row, built.Get(ordinal)));
        }
        return found;
    }

    /// <summary>
    /// Each person's CURP as its records stand in the index — the valid CURP most of them carry (the golden record's rule),
    /// the latest stored on a tie, null when none carries one. What the guard against linking two
    /// valid CURPs compares; exact as of the last sync, which under the resolution lock is the registry's
    /// own state, so the guard needs no read of the persons' golden records.
    /// </summary>
    public async Task<Dictionary<Guid, string?>> CurpsOfAsync(IEnumerable<Guid> persons, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(persons);
        await WaitGateAsync(ct);
        try
        {
            var result = new Dictionary<Guid, string?>();
            foreach (var person in persons)
            {
                if (result.ContainsKey(person)) continue;
                string? curp = null;
                if (curps.TryGetValue(person, out var best))
                {
                    if (moreCurps.TryGetValue(person, out var others))
                        foreach (var t in others)
                            if (t.Count > best.Count || (t.Count == best.Count && t.Latest > best.Latest)) best = t;
                    curp = records.ValidCurp(best.Latest);
                }
                result[person] = curp;
            }
            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Up to <paramref name="k"/> distinct record pairs sharing a block of 2 to 50 members, from blocks
    /// picked at random — the pairs EM training learns m from (<see cref="EmTrainer"/>).
    /// </summary>
    public Task<List<(MatchRecord A, MatchRecord B)>> SampleBlockedPairsAsync(NpgsqlConnection connection, int k, Random random, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(random);
        return SyncedAsync(connection, null, () => SampleBlockedPairs(k, random), ct);
    }

    /// <summary>One caller at a time: syncs, then reads the index in memory.</summary>
    private async Task<T> SyncedAsync<T>(NpgsqlConnection connection, NpgsqlTransaction? tx, Func<T> read, CancellationToken ct)
    {
        await WaitGateAsync(ct);
        try
        {
            await SyncLockedAsync(connection, tx, ct);
            return read();
        }
        finally
        {
            gate.Release();
        }
    }

    private List<CandidateRecord> Lookup(IEnumerable<(int RowNumber, IReadOnlyList<ulong> QueryKeys)> rows) => Lookup(rows, out _, out _);

    /// <param name="metFull">Rows with a generic key (filed by more than <see cref="MaxBlockCandidates"/> records).</param>
    /// <param name="onlyFull">Rows whose every key filed by anyone is generic: the index gives them no candidate.</param>
    private List<CandidateRecord> Lookup(IEnumerable<(int RowNumber, IReadOnlyList<ulong> QueryKeys)> rows, out int metFull, out int onlyFull)
    {
        var found = new List<CandidateRecord>();
        var seen = new HashSet<int>();
        var mine = new List<int>();
        var built = new Built(records);
        (metFull, onlyFull) = (0, 0);
        foreach (var (row, keys) in rows)
        {
            seen.Clear();
            mine.Clear();
            bool anyFull = false, anyWhole = false;
            var set = keys as QueryKeySet;
            for (var k = 0; k < keys.Count; k++)
            {
                var members = blocks.Members(keys[k], out var full);
                if (full)
                {
                    anyFull = true; // generic: finds no one
                    continue;
                }
                if (!members.IsEmpty) anyWhole = true;
                var filtered = set is not null && set.Filters(k);
                foreach (var member in members)
                    if ((!filtered || Keeps(set!, k, member)) && seen.Add(member)) mine.Add(member);
            }
            if (anyFull)
            {
                metFull++;
                if (!anyWhole) onlyFull++;
            }
            mine.Sort();
            foreach (var ordinal in mine) found.Add(new CandidateRecord(row, built.Get(ordinal)));
        }
        return found;
    }

    /// <summary>Whether a record met through <paramref name="set"/>'s filtered key <paramref name="key"/> is a candidate (<see cref="QueryKeySet.Keeps"/>, <see cref="QueryKeySet.KeepsDates"/>).</summary>
    private bool Keeps(QueryKeySet set, int key, int ordinal)
    {
        // A year key's dates first: they turn away most of its members, and cost no edit distance.
        if (set.AsksDates(key) && !set.KeepsDates(records.KeyDates(ordinal))) return false;
        var (given, paternal, maternal) = records.NamePhonetics(ordinal);
        return set.Keeps(key, given, paternal, maternal);
    }

    /// <summary>
    /// Rows looked up since the process started whose every blocking key filed by anyone is generic (more than
    /// <see cref="MaxBlockCandidates"/> records: a common name born on a common date, at a state's size): the index gave
    /// them no candidate, so they were matched on their deterministic keys alone and may be a person twice.
    /// </summary>
    public long RowsOnlyInFullBlocks { get; private set; }

    /// <summary>Raised when <see cref="RowsOnlyInFullBlocks"/> first grows past zero and each time it doubles (logged by the host).</summary>
    public event EventHandler<OverFullBlocksEventArgs>? OverFullBlocks;

    /// <summary>Tests, no database: <see cref="SampleBlockedPairsAsync"/> without its sync.</summary>
    internal List<(MatchRecord A, MatchRecord B)> SampleBlockedPairsInMemory(int k, Random random) => SampleBlockedPairs(k, random);

    // One random pair per block, blocks in random order, then another round, up to k pairs. Taking
    // every pair of a block let the largest blocks fill the sample (a block of 50 gives 1,225 pairs):
    // a household's shared phone, a common name born in one year — relatives and namesakes.
    private List<(MatchRecord A, MatchRecord B)> SampleBlockedPairs(int k, Random random)
    {
        var eligible = blocks.BlocksOfSize(2, 50);
        var pairs = new List<(MatchRecord, MatchRecord)>();
        var taken = new HashSet<(int, int)>();
        for (var round = 0; round < 4 && pairs.Count < k; round++)
        {
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(eligible));
            foreach (var block in eligible)
            {
                if (pairs.Count >= k) return pairs;
                var a = random.Next(block.Length);
                var b = random.Next(block.Length - 1);
                if (b >= a) b++;
                var (x, y) = block[a] < block[b] ? (block[a], block[b]) : (block[b], block[a]);
                if (taken.Add((x, y))) pairs.Add((records.Get(x), records.Get(y)));
            }
        }
        return pairs;
    }

    private async Task WaitGateAsync(CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await gate.WaitAsync(ct);
        // A wait for another chunk's use of the index, as an event of the caller's span (a resolver step): under the
        // resolution lock it holds every worker back.
        System.Diagnostics.Activity.Current?.AddEvent(new System.Diagnostics.ActivityEvent("index-gate-wait",
            tags: new System.Diagnostics.ActivityTagsCollection { ["wait_ms"] = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds }));
    }

    /// <summary>Rebuilds of the index after the database turned out not to be the one indexed.</summary>
    public int Rebuilds => generation;

    private async Task SyncLockedAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        if (anchor is { } expected && !await StillIndexedAsync(connection, tx, expected, ct)) Reset();
        // The first load takes every record, those from before seq existed (NULL) first; later syncs
        // only what was written since. Either way in seq order, so a block's members stay oldest first.
        await using var command = new NpgsqlCommand(horizon < 0
            ? $"SELECT {MatchRecordRows.Columns("mr")}, coalesce(mr.seq, 0) FROM match_records mr ORDER BY mr.seq NULLS FIRST"
            // Bounded on both sides: before match_records has statistics (a young registry: autovacuum had not
            // analysed it 200k records into a load) the planner guesses a third of the table for "seq > x" and
            // scans all of it, 25 ms at 120k records, three times a chunk; a range it guesses small (index).
            : $"SELECT {MatchRecordRows.Columns("mr")}, mr.seq FROM match_records mr WHERE mr.seq > @horizon AND mr.seq < {long.MaxValue} ORDER BY mr.seq",
            connection, tx);
        command.Parameters.AddWithValue("horizon", Math.Max(horizon, 0));
        var latest = Math.Max(horizon, 0);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (horizon < 0)
            {
                (latest, var last) = await LoadAsync(reader, latest, ct);
                anchor = last ?? anchor;
            }
            else
                while (await reader.ReadAsync(ct))
                {
                    var record = MatchRecordRows.Read(reader, 0);
                    Add(record);
                    var seq = reader.GetInt64(MatchRecordRows.Width);
                    if (seq >= latest && seq > 0)
                    {
                        latest = seq;
                        anchor = record.SourceRecordId;
                    }
                }
        }
        horizon = latest;
    }

    /// <summary>Records a first load hands from the reading thread to the filing one, with their keys' hashes.</summary>
    private sealed class LoadBatch
    {
        public readonly List<MatchRecord> Records = new(LoadBatchSize);
        public readonly List<ulong> Hashes = new(LoadBatchSize * 16);
        public readonly List<int> Ends = new(LoadBatchSize);
    }

    private const int LoadBatchSize = 4096;

    /// <summary>
    /// The first load: this thread reads and decodes the rows and hashes their blocking keys while another files them
    /// (the two halves took about as long each), so a new worker's index is ready in about half the time. In seq order.
    /// </summary>
    private async Task<(long Latest, Guid? Anchor)> LoadAsync(NpgsqlDataReader reader, long latest, CancellationToken ct)
    {
        var batches = System.Threading.Channels.Channel.CreateBounded<LoadBatch>(
            new System.Threading.Channels.BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        var spent = new System.Collections.Concurrent.ConcurrentQueue<LoadBatch>();
        var filing = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in batches.Reader.ReadAllAsync(ct))
                {
                    var hashes = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch.Hashes);
                    for (int i = 0, from = 0; i < batch.Records.Count; from = batch.Ends[i++])
                        Add(batch.Records[i], hashes[from..batch.Ends[i]]);
                    spent.Enqueue(batch);
                }
            }
            catch (Exception e)
            {
                // The reading thread may wait on a full channel: closed, its write fails and it stops.
                batches.Writer.TryComplete(e);
                throw;
            }
        }, ct);
        Guid? last = null;
        try
        {
            var batch = new LoadBatch();
            while (await reader.ReadAsync(ct))
            {
                var record = MatchRecordRows.Read(reader, 0);
                record.KeyHashes(query: false, batch.Hashes);
                batch.Records.Add(record);
                batch.Ends.Add(batch.Hashes.Count);
                var seq = reader.GetInt64(MatchRecordRows.Width);
                if (seq >= latest && seq > 0)
                {
                    latest = seq;
                    last = record.SourceRecordId;
                }
                if (batch.Records.Count < LoadBatchSize) continue;
                await batches.Writer.WriteAsync(batch, ct);
                if (spent.TryDequeue(out batch))
                {
                    batch.Records.Clear();
                    batch.Hashes.Clear();
                    batch.Ends.Clear();
                }
                else batch = new LoadBatch();
            }
            if (batch.Records.Count > 0) await batches.Writer.WriteAsync(batch, ct);
        }
        finally
        {
            batches.Writer.TryComplete();
            await filing;
        }
        return (latest, last);
    }

    private async Task<bool> StillIndexedAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid expected, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT source_record_id FROM match_records WHERE seq = @horizon", connection, tx);
        command.Parameters.AddWithValue("horizon", horizon);
        return await command.ExecuteScalarAsync(ct) is Guid found && found == expected;
    }

    /// <summary>Forgets everything indexed, so the next read loads the whole table.</summary>
    private void Reset()
    {
        records = new RecordStore();
        blocks = new BlockTable(MaxBlockCandidates);
        recent.Clear();
        recentBase = 0;
        moved.Clear();
        turnedGeneric.Clear();
        curps.Clear();
        moreCurps.Clear();
        horizon = -1;
        anchor = null;
        generation++;
        IndexRebuilt?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>Raised when a sync found the database not the one indexed and dropped the index (logged by the host).</summary>
    public event EventHandler? IndexRebuilt;

    private void Add(MatchRecord record)
    {
        keyHashes.Clear();
        record.KeyHashes(query: false, keyHashes);
        Add(record, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keyHashes));
    }

    /// <summary>Files <paramref name="record"/> under <paramref name="hashes"/>, its blocking keys' (not read for a record filed before).</summary>
    private void Add(MatchRecord record, ReadOnlySpan<ulong> hashes)
    {
        if (records.TryFind(record.SourceRecordId, out var existing))
        {
            // A merge or split moved it: same features (so the same blocks and CURP), new person.
            UncountCurp(records.PersonId(existing), records.ValidCurp(existing));
            records.Replace(existing, record);
            moved.Add(record.SourceRecordId);
            CountCurp(record, existing);
            return;
        }
        var ordinal = records.Add(record);
        CountCurp(record, ordinal);
        for (var k = 0; k < hashes.Length; k++)
        {
            var hash = hashes[k];
            if (hashes[..k].Contains(hash)) continue; // the same key twice
            var position = blocks.Add(hash, ordinal);
            if (position < MaxBlockCandidates) recent.Add((hash, ordinal));
            else if (position == MaxBlockCandidates) turnedGeneric.Add((recentBase + recent.Count, hash));
        }
        // The log serves catch-ups of lookups a chunk or two old; an older one looks up afresh.
        if (recent.Count >= recentKept * 2)
        {
            recent.RemoveRange(0, recentKept);
            recentBase += recentKept;
        }
    }

    /// <summary>One answer's candidates built from the store once each: a record several rows found is one instance.</summary>
    private sealed class Built(RecordStore store)
    {
        private readonly Dictionary<int, MatchRecord> built = [];

        public MatchRecord Get(int ordinal)
        {
            ref var record = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(built, ordinal, out var known);
            if (!known) record = store.Get(ordinal);
            return record!;
        }
    }

    private void CountCurp(MatchRecord record, int ordinal)
    {
        if (record.ValidCurp is not { } curp) return;
        ref var first = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(curps, record.PersonId, out var known);
        if (!known)
        {
            first = new CurpTally(ordinal);
            return;
        }
        if (string.Equals(records.ValidCurp(first.Latest), curp, StringComparison.Ordinal))
        {
            first.Count++;
            first.Latest = Math.Max(first.Latest, ordinal);
            return;
        }
        if (!moreCurps.TryGetValue(record.PersonId, out var others)) moreCurps[record.PersonId] = others = [];
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(others);
        for (var i = 0; i < span.Length; i++)
        {
            if (!string.Equals(records.ValidCurp(span[i].Latest), curp, StringComparison.Ordinal)) continue;
            span[i].Count++;
            span[i].Latest = Math.Max(span[i].Latest, ordinal);
            return;
        }
        others.Add(new CurpTally(ordinal));
    }

    private void UncountCurp(Guid person, string? curp)
    {
        if (curp is null || !curps.TryGetValue(person, out var first)) return;
        moreCurps.TryGetValue(person, out var others);
        if (string.Equals(records.ValidCurp(first.Latest), curp, StringComparison.Ordinal))
        {
            if (first.Count > 1) System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(curps, person).Count--;
            // The first gone: the next (in the order counted) takes its place.
            else if (others is null) curps.Remove(person);
            else
            {
                curps[person] = others[0];
                others.RemoveAt(0);
                if (others.Count == 0) moreCurps.Remove(person);
            }
            return;
        }
        if (others is null) return;
        var i = others.FindIndex(t => string.Equals(records.ValidCurp(t.Latest), curp, StringComparison.Ordinal));
        if (i < 0) return;
        if (others[i].Count > 1) System.Runtime.InteropServices.CollectionsMarshal.AsSpan(others)[i].Count--;
        else others.RemoveAt(i);
        if (others.Count == 0) moreCurps.Remove(person);
    }
}

/// <summary>
/// A lookup's candidates (by row, then filing order) and where the index stood when it answered: the
/// records filed and re-filed by then, from which <see cref="CandidateIndex.CatchUpAsync"/> goes on.
/// </summary>
/// <summary>How many rows so far met only over-full blocks, out of how many records indexed.</summary>
public sealed class OverFullBlocksEventArgs(long rows, int records) : EventArgs
{
    public long Rows { get; } = rows;
    public int Records { get; } = records;
}

public sealed class CandidateLookup(List<CandidateRecord> candidates, HashSet<int> rows, int moves, long recent)
{
    public List<CandidateRecord> Candidates { get; } = candidates;
    internal HashSet<int> Rows { get; } = rows;
    internal int Moves { get; } = moves;
    internal long Recent { get; } = recent;
    internal int Generation { get; init; }

    /// <summary>Rows of this lookup with a generic key (filed by more than <see cref="CandidateIndex.MaxBlockCandidates"/> records), which found no one.</summary>
    public int RowsMeetingFullBlocks { get; init; }

    /// <summary>Rows of this lookup whose every key filed by anyone is generic: the index gave them no candidate.</summary>
    public int RowsOnlyInFullBlocks { get; init; }
}
