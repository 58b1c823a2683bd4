using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>
/// A blocking key shared by more records than the index gives a row (a common name born on one date, at a state's
/// size) is a loss of candidates nobody would see: the rows it affects are counted on the lookup, and the host is
/// told once, then each time their number doubles.
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
        Assert.Equal(CandidateIndex.MaxBlockCandidates, namesakes.Candidates.Count(c => c.RowNumber == 1)); // the oldest 200 only
        Assert.Equal([1L], told);

        index.LookupInMemory([Query(4, Person(2003))]);           // 2: doubled
        index.LookupInMemory([Query(5, Person(2004))]);           // 3
        index.LookupInMemory([Query(6, Person(2005))]);           // 4: doubled
        Assert.Equal([1L, 2L, 4L], told);
        Assert.Equal(4, index.RowsOnlyInFullBlocks);
    }
}
