using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>
/// A blocking key shared by more records than the index gives a row (a common name born on one date, at a state's
/// size) is generic: it finds no one, its records are found through their other keys, and the rows left with generic
/// keys only are counted on the lookup, the host told once, then each time their number doubles — never a silent cut.
/// </summary>
public sealed class OverFullBlockTests
{
    private static MatchRecord Person(int i, string given = "MARIA", string? phone = null, string surname = "HERNANDEZ", int year = 1980) => MatchRecord.From(new SourceRow
    {
        RowNumber = i + 1, RecordKey = $"k{i}", ContentHash = "h", GivenNames = given, PaternalSurname = surname,
        MaternalSurname = "GARCIA", BirthDate = new DateOnly(year, 1, 1), Phone = phone,
    }, Guid.NewGuid(), Guid.NewGuid());

    private static (int, IReadOnlyList<ulong>) Query(int row, MatchRecord r)
    {
        var keys = new List<ulong>();
        r.KeyHashes(query: true, keys);
        return (row, keys);
    }

    [Fact]
    public void A_row_that_meets_only_over_full_blocks_is_counted_and_the_host_is_told_as_the_count_doubles()
    {
        var index = new CandidateIndex();
        var told = new List<long>();
        index.OverFullBlocks += (_, e) => told.Add(e.Rows);
        index.FileInMemory(Enumerable.Range(0, CandidateIndex.MaxBlockCandidates + 50).Select(i => Person(i)));
        // One record with a phone of its own: a row carrying that phone has a key that is not over-full.
        index.FileInMemory([Person(1000, given: "ROSA", phone: "8991234567")]);

        var namesakes = index.LookupInMemory([Query(1, Person(2000)), Query(2, Person(2001, phone: "8991234567")), Query(3, Person(2002, given: "XIMENA", surname: "ZAMUDIO", year: 1991))]);

        Assert.Equal(2, namesakes.RowsMeetingFullBlocks);
        Assert.Equal(1, namesakes.RowsOnlyInFullBlocks);          // row 2 also met the phone's block, row 3 no full block
        Assert.DoesNotContain(namesakes.Candidates, c => c.RowNumber == 1);                      // generic: no one, not the oldest 200
        Assert.Equal(["ROSA"], namesakes.Candidates.Where(c => c.RowNumber == 2).Select(c => c.Record.GivenKey)); // through its phone
        Assert.Equal([1L], told);

        index.LookupInMemory([Query(4, Person(2003))]);           // 2: doubled
        index.LookupInMemory([Query(5, Person(2004))]);           // 3
        index.LookupInMemory([Query(6, Person(2005))]);           // 4: doubled
        Assert.Equal([1L, 2L, 4L], told);
        Assert.Equal(4, index.RowsOnlyInFullBlocks);
    }

    [Fact]
    public void A_key_that_turns_generic_between_a_lookup_and_its_catch_up_is_dropped_as_a_fresh_lookup_drops_it()
    {
        var index = new CandidateIndex();
        // A block one record short of generic, and the row's second key (its phone) shared with one of them.
        index.FileInMemory(Enumerable.Range(0, CandidateIndex.MaxBlockCandidates - 1).Select(i => Person(i, phone: i == 7 ? "8991234567" : null)));
        var row = Query(1, Person(5000, phone: "8991234567"));
        var early = index.LookupInMemory([row]);
        Assert.Equal(CandidateIndex.MaxBlockCandidates - 1, early.Candidates.Count);

        // Another chunk commits two more namesakes: 201 records, the key is generic now.
        index.FileInMemory([Person(300), Person(301)]);

        var caughtUp = index.CatchUpInMemory(early, [row]);
        var fresh = index.LookupInMemory([row]).Candidates;
        Assert.Equal(fresh.Select(c => c.Record.SourceRecordId), caughtUp.Select(c => c.Record.SourceRecordId));
        Assert.Single(caughtUp); // the record sharing its phone
    }
}
