using System.Reflection;
using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>
/// The candidate index kept compact (records as structs and bytes, blocks in pages) answers exactly as the records
/// filed: every field of a candidate comes back as it went in, a person's CURP follows merges and splits, an index
/// loaded at once equals one filed chunk by chunk, and no table's size overflows before the ordinals' own 2^31.
/// </summary>
public sealed class CandidateIndexScaleTests
{
    private static readonly string[] Given = ["JOSE", "MARIA", "ANA", "LUPE"];
    private static readonly string[] Surnames = ["GARCIA", "LOPEZ", "CANTU", "MUÑOZ"];

    [Fact]
    public void Every_field_of_a_match_record_comes_back_from_the_index_as_it_was_filed()
    {
        // Every settable property set (a field added to MatchRecord and not kept by the index fails here), values
        // with characters past Latin-1 and past a byte's length, and enough records that the byte heap spans pages.
        var records = Enumerable.Range(0, 3000).Select(i => Filled(i)).ToList();
        var index = new CandidateIndex();
        index.FileInMemory(records);

        Assert.Equal(records, index.Records);
        Assert.All(typeof(MatchRecord).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite),
            p => Assert.NotEqual(p.GetValue(new MatchRecord()), p.GetValue(records[1])));
    }

    [Fact]
    public void A_record_without_optional_fields_comes_back_without_them()
    {
        var bare = new MatchRecord { SourceRecordId = Guid.NewGuid(), PersonId = Guid.NewGuid() };
        var empty = bare with { SourceRecordId = Guid.NewGuid(), Phone = "", StreetKey = "", GivenKey = "" };
        var index = new CandidateIndex();
        index.FileInMemory([bare, empty]);
        Assert.Equal([bare, empty], index.Records);
    }

    [Fact]
    public async Task A_persons_CURP_is_the_one_most_of_its_records_carry_through_merges_and_splits()
    {
        var random = new Random(7);
        var persons = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToArray();
        string[] curps = [Curp('A'), Curp('B'), Curp('C')];
        var index = new CandidateIndex();
        var reference = new ReferenceCurps();
        var current = new Dictionary<Guid, MatchRecord>();
        var order = new List<Guid>();
        for (var step = 0; step < 600; step++)
        {
            MatchRecord record;
            if (current.Count > 0 && random.Next(3) == 0)
            {
                // A merge or split moves a record filed before to another person (a re-filing: same fields).
                var moved = current[order[random.Next(order.Count)]];
                record = moved with { PersonId = persons[random.Next(persons.Length)] };
            }
            else
            {
                record = new MatchRecord
                {
                    SourceRecordId = Guid.NewGuid(), PersonId = persons[random.Next(persons.Length)], GivenKey = "ANA",
                    GivenPhonetic = "ANA", GivenSignificant = "ANA", ValidCurp = random.Next(4) == 0 ? null : curps[random.Next(curps.Length)],
                };
                order.Add(record.SourceRecordId);
            }
            current[record.SourceRecordId] = record;
            index.FileInMemory([record]);
            reference.File(record);

            if (step % 25 == 24) Assert.Equal(reference.Of(persons), await index.CurpsOfAsync(persons, default));
        }
    }

    [Fact]
    public void An_index_loaded_at_once_answers_as_one_filed_chunk_by_chunk_between_lookups()
    {
        var random = new Random(11);
        var records = Enumerable.Range(0, 4000).Select(i => Crowded(i, random)).ToList();
        var rows = Enumerable.Range(0, 300).Select(i => Crowded(10_000 + i, random)).Select((r, i) => (i + 1, (IReadOnlyList<ulong>)Keys(r))).ToList();
        var chunked = new CandidateIndex(recentKept: 500);
        foreach (var chunk in records.Chunk(250))
        {
            var early = chunked.LookupInMemory(rows);
            chunked.FileInMemory(chunk);
            Assert.Equal(Answer(chunked.LookupInMemory(rows).Candidates), Answer(chunked.CatchUpInMemory(early, rows)));
        }
        var cold = new CandidateIndex();
        cold.FileInMemory(records);

        Assert.Equal(cold.Records, chunked.Records);
        var fromCold = cold.LookupInMemory(rows);
        var fromChunked = chunked.LookupInMemory(rows);
        Assert.Equal(Answer(fromCold.Candidates), Answer(fromChunked.Candidates));
        Assert.Equal(fromCold.Candidates.Select(c => c.Record), fromChunked.Candidates.Select(c => c.Record));
        Assert.True(fromCold.RowsMeetingFullBlocks > 0, "no row met a generic block: the crowd is too small to test them");
        Assert.Equal(fromCold.RowsMeetingFullBlocks, fromChunked.RowsMeetingFullBlocks);
        Assert.Equal(fromCold.RowsOnlyInFullBlocks, fromChunked.RowsOnlyInFullBlocks);
    }

    [Fact]
    public void A_block_keeps_its_members_in_filing_order_as_it_moves_to_larger_rooms_and_others_reuse_the_rooms_it_left()
    {
        var table = new BlockTable(stored: 200);
        static ulong Key(int k) => (ulong)k * 0x9E3779B97F4A7C15UL;
        // 2,000 blocks filled one after another to 150 members: each moves through 12 rooms of 2 to 141 (424 ints in all).
        for (var k = 1; k <= 2000; k++)
            for (var member = 0; member < 150; member++)
                Assert.Equal(member, table.Add(Key(k), k * 1000 + member));
        // Then 500 more filled in turns, moving rooms while the others move too.
        for (var member = 0; member < 30; member++)
            for (var k = 3001; k <= 3500; k++)
                Assert.Equal(member, table.Add(Key(k), k * 1000 + member));

        for (var k = 1; k <= 2000; k++) Assert.Equal(Enumerable.Range(k * 1000, 150), table.Members(Key(k)).ToArray());
        for (var k = 3001; k <= 3500; k++) Assert.Equal(Enumerable.Range(k * 1000, 30), table.Members(Key(k)).ToArray());
        // The rooms a block left were taken by the next: the pool holds about the final rooms (2,000 of 200, 500 of 42, in
        // whole pages), not those plus every room left behind — 424 ints more a block, 1,248,000 ints for the first 2,000.
        Assert.True(table.PoolInts <= 8 * PagedArray<int>.PageSize, $"pool {table.PoolInts:N0} ints");
    }

    [Fact]
    public void No_table_size_overflows_before_the_ordinals_own_limit()
    {
        // Computed, not allocated: at 2^31 records the blocks (about four a record), the pool (about ten ints a record)
        // and the slots grow past int.MaxValue, where an int-indexed array that doubles would have failed near 10^8.
        const long records = int.MaxValue;
        var blocks = 4 * records;
        var length = (long)PagedArray<int>.PageSize;
        while (BlockTable.MustGrow(blocks, length))
        {
            var grown = BlockTable.GrownLength(length);
            Assert.True(grown > length && grown % PagedArray<int>.PageSize == 0);
            length = grown;
        }
        Assert.True(length > blocks && length < 2 * blocks, $"{length:N0} slots for {blocks:N0} blocks");
        Assert.Equal(10 * records / PagedArray<int>.PageSize + 1, PagedArray<int>.PagesFor(10 * records));
        Assert.True(PagedArray<int>.PagesFor(10 * records) < Array.MaxLength);
        Assert.Equal([2, 3, 4, 6, 9, 13, 19, 28, 42, 63, 94, 141, 200], BlockTable.Rooms(200));
    }

    [Fact]
    public void A_paged_array_addresses_past_a_page_and_hands_out_new_pages_without_copying()
    {
        var array = new PagedArray<long>();
        var first = array.Reserve(PagedArray<long>.PageSize - 1);
        var page = array.Slice(first, 1);
        page[0] = 42;
        var last = array.Add(7);
        var next = array.Add(8);

        Assert.Equal(PagedArray<long>.PageSize - 1, last);
        Assert.Equal(PagedArray<long>.PageSize, next);
        Assert.Equal(2 * PagedArray<long>.PageSize, array.Capacity);
        Assert.Equal(42, array[0]);
        Assert.Equal(8, array[next]);
        Assert.Equal(1, PagedArray<long>.LeftInPage(last));
    }

    /// <summary>
    /// The rule as the index kept it before it was made compact (a list of tallies with their CURP strings per person,
    /// a tally's latest record never lowered by a move): the CURP most records carry, the latest counted on a tie.
    /// </summary>
    private sealed class ReferenceCurps
    {
        private readonly Dictionary<Guid, List<(string Curp, int Count, int Latest)>> tallies = [];
        private readonly Dictionary<Guid, (int Ordinal, MatchRecord Record)> filed = [];

        public void File(MatchRecord record)
        {
            if (filed.TryGetValue(record.SourceRecordId, out var was))
            {
                Uncount(was.Record);
                filed[record.SourceRecordId] = (was.Ordinal, record);
                Count(record, was.Ordinal);
                return;
            }
            filed[record.SourceRecordId] = (filed.Count, record);
            Count(record, filed.Count - 1);
        }

        public Dictionary<Guid, string?> Of(IEnumerable<Guid> persons) => persons.ToDictionary(p => p, p =>
        {
            if (!tallies.TryGetValue(p, out var list)) return null;
            var best = list[0];
            foreach (var t in list)
                if (t.Count > best.Count || (t.Count == best.Count && t.Latest > best.Latest)) best = t;
            return (string?)best.Curp;
        });

        private void Count(MatchRecord r, int ordinal)
        {
            if (r.ValidCurp is not { } curp) return;
            if (!tallies.TryGetValue(r.PersonId, out var list)) tallies[r.PersonId] = list = [];
            var i = list.FindIndex(t => t.Curp == curp);
            if (i < 0) list.Add((curp, 1, ordinal));
            else list[i] = (curp, list[i].Count + 1, Math.Max(list[i].Latest, ordinal));
        }

        private void Uncount(MatchRecord r)
        {
            if (r.ValidCurp is not { } curp || !tallies.TryGetValue(r.PersonId, out var list)) return;
            var i = list.FindIndex(t => t.Curp == curp);
            if (i < 0) return;
            if (list[i].Count > 1) list[i] = (curp, list[i].Count - 1, list[i].Latest);
            else list.RemoveAt(i);
            if (list.Count == 0) tallies.Remove(r.PersonId);
        }
    }

    private static string Curp(char c) => "GARA800101HTSRRN0" + c;

    private static List<ulong> Keys(MatchRecord r)
    {
        var keys = new List<ulong>();
        r.KeyHashes(query: true, keys);
        return keys;
    }

    private static IEnumerable<(int, Guid)> Answer(List<CandidateRecord> candidates) => candidates.Select(c => (c.RowNumber, c.Record.SourceRecordId));

    private static MatchRecord Crowded(int i, Random random) => MatchRecord.From(new SourceRow
    {
        RowNumber = i + 1, RecordKey = $"k{i}", ContentHash = "h",
        GivenNames = Given[random.Next(Given.Length)], PaternalSurname = Surnames[random.Next(Surnames.Length)],
        MaternalSurname = random.Next(4) == 0 ? null : Surnames[random.Next(Surnames.Length)],
        BirthDate = random.Next(5) == 0 ? null : new DateOnly(1980 + random.Next(2), 1, 1 + random.Next(2)),
        Phone = random.Next(3) == 0 ? $"899{random.Next(1000):D3}4567" : null, PostalCode = "87000", Municipality = "VICTORIA",
    }, new Guid(i, 0, 0, new byte[8]), Guid.NewGuid());

    private static MatchRecord Filled(int i)
    {
        var record = new MatchRecord();
        foreach (var p in typeof(MatchRecord).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            object value = p.PropertyType switch
            {
                var t when t == typeof(Guid) => Guid.NewGuid(),
                var t when t == typeof(string) => $"{p.Name.ToUpperInvariant()}{i % 7}" + (i % 5 == 0 ? "ŁĄ" : "") + (i % 11 == 0 ? new string('Ñ', 300) : ""),
                var t when t == typeof(DateOnly?) => new DateOnly(1950 + i % 60, 1 + i % 12, 1 + i % 28),
                var t when t == typeof(char?) => i % 2 == 0 ? 'H' : 'M',
                var t when t == typeof(bool) => true,
                var t => throw new InvalidOperationException($"MatchRecord.{p.Name} is a {t}: teach the index (RecordStore) to keep it, then this test"),
            };
            // Records are init-only: set through the property's setter, as a serializer would.
            p.SetValue(record, value);
        }
        return record;
    }
}
