using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>
/// The candidate index in memory (no database; the syncs are covered by the integration tests): a
/// catch-up answers exactly what a fresh lookup would, and a crowded block keeps its first members.
/// </summary>
public sealed class CandidateIndexMemoryTests
{
    private static readonly string[] Given = ["JOSE", "MARIA", "ANA"];
    private static readonly string[] Surnames = ["GARCIA", "LOPEZ", "CANTU"];

    /// <summary>Few names and dates: blocks grow past <see cref="CandidateIndex.MaxBlockCandidates"/>.</summary>
    private static List<MatchRecord> Crowd(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => MatchRecord.From(new SourceRow
        {
            RowNumber = i + 1, RecordKey = $"k{i}", ContentHash = "h",
            GivenNames = Given[random.Next(Given.Length)], PaternalSurname = Surnames[random.Next(Surnames.Length)],
            MaternalSurname = random.Next(4) == 0 ? null : Surnames[random.Next(Surnames.Length)],
            BirthDate = random.Next(5) == 0 ? null : new DateOnly(1980 + random.Next(3), 1 + random.Next(2), 1 + random.Next(2)),
        }, new Guid(seed, (short)(i >> 16), (short)i, new byte[8]), Guid.NewGuid()))];
    }

    private static List<(int RowNumber, IReadOnlyList<ulong> QueryKeys)> Lookups(IEnumerable<MatchRecord> records, int firstRow) =>
        [.. records.Select((r, i) =>
        {
            var keys = new List<ulong>();
            r.KeyHashes(query: true, keys);
            return (firstRow + i, (IReadOnlyList<ulong>)keys);
        })];

    private static IEnumerable<(int, Guid)> Answer(List<CandidateRecord> candidates) =>
        candidates.Select(c => (c.RowNumber, c.Record.SourceRecordId));

    [Theory]
    [InlineData(1 << 20)] // the log reaches back to every earlier lookup
    [InlineData(64)]      // trimmed meanwhile: some catch-ups look up afresh
    public void A_catch_up_answers_what_a_fresh_lookup_would(int recentKept)
    {
        var index = new CandidateIndex(recentKept);
        var stored = Crowd(1500, seed: 1);
        index.FileInMemory(stored.Take(300));
        var filed = 300;
        var rows = Crowd(40, seed: 2);
        var lookups = Lookups(rows, firstRow: 1);
        var added = 0;
        while (filed < stored.Count)
        {
            var early = index.LookupInMemory(lookups);
            // Another resolver commits a chunk meanwhile, some of its records in crowded blocks' first members.
            index.FileInMemory(stored.Skip(filed).Take(200));
            filed += 200;
            // Some rows are dropped under the lock (already received), one arrives that was not looked up early.
            var live = lookups.Where(l => l.RowNumber % 7 != 0).Append((99, Lookups(Crowd(1, seed: 3), 99)[0].QueryKeys)).ToList();

            var caughtUp = index.CatchUpInMemory(early, live);

            Assert.Equal(Answer(index.LookupInMemory(live).Candidates), Answer(caughtUp));
            added += caughtUp.Select(c => c.Record.SourceRecordId).Except(early.Candidates.Select(c => c.Record.SourceRecordId)).Count();
            Assert.All(caughtUp.GroupBy(c => c.RowNumber), g => Assert.True(g.Count() <= 11 * CandidateIndex.MaxBlockCandidates));
        }
        Assert.True(added > 0, "no catch-up found a record filed after its early lookup");
    }

    [Fact]
    public void A_crowded_block_keeps_its_first_members_in_filing_order_and_counts_the_rest()
    {
        var table = new BlockTable(stored: 200);
        for (var i = 0; i < 450; i++) Assert.Equal(i, table.Add(42, 1000 + i));
        table.Add(7, 5);

        Assert.Equal(Enumerable.Range(1000, 200), table.Members(42).ToArray());
        Assert.Equal([5], table.Members(7).ToArray());
        Assert.True(table.Members(8).IsEmpty);
        Assert.Equal(2, table.Blocks);
        Assert.Empty(table.BlocksOfSize(2, 50));
    }

    [Fact]
    public void Blocks_survive_the_table_growing_under_them()
    {
        var table = new BlockTable(stored: 200);
        // 200k keys, some with several members: the table and the pool both grow many times.
        for (var i = 0; i < 200_000; i++)
            for (var m = 0; m <= i % 4; m++)
                table.Add(Hash(i), i * 10 + m);

        Assert.Equal(200_000, table.Blocks);
        for (var i = 0; i < 200_000; i += 997)
            Assert.Equal(Enumerable.Range(0, i % 4 + 1).Select(m => i * 10 + m), table.Members(Hash(i)).ToArray());
        Assert.Equal(150_000, table.BlocksOfSize(2, 50).Count);
    }

    // Keys as MatchRecord hashes them: well mixed (the table probes from the low bits).
    private static ulong Hash(int i)
    {
        var h = (ulong)i * 0x9E3779B97F4A7C15UL;
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        return h ^ (h >> 33);
    }
}
