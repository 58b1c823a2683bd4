namespace Registry.Matching;

/// <summary>
/// The hashes a row's candidates are looked up by (<see cref="MatchRecord.QueryKeyHashes"/>), each once, in four runs:
/// the narrow keys, whose members are all candidates; the birth date + given name keys
/// (<see cref="MatchRecord.IsGivenDateKey"/>), whose members count only when their surnames are related
/// (<see cref="MatchRecord.SurnamesRelated"/>); the broad keys (<see cref="MatchRecord.IsBroadKey"/>), whose members
/// count only when <see cref="MatchRecord.NamesNear"/> keeps them; and the year keys among those, which also ask
/// <see cref="KeepsDates"/>. The row's names and dates are kept here for those conditions. A plain list of hashes is
/// looked up with none of them.
/// </summary>
public sealed class QueryKeySet : IReadOnlyList<ulong>
{
    private readonly ulong[] hashes;
    private readonly (DateOnly?, DateOnly?) dates;

    internal QueryKeySet(List<ulong> narrow, List<ulong> givenDate, List<ulong> broad, List<ulong> year, string given, string? paternal,
        string? maternal, (DateOnly? Birth, DateOnly? Curp) dates)
    {
        var distinct = new HashSet<ulong>();
        var all = new List<ulong>(narrow.Count + givenDate.Count + broad.Count + year.Count);
        // A key whose hash is also an earlier run's (a collision) keeps the earlier run's condition.
        foreach (var h in narrow)
            if (distinct.Add(h)) all.Add(h);
        FilteredFrom = all.Count;
        foreach (var h in givenDate)
            if (distinct.Add(h)) all.Add(h);
        BroadFrom = all.Count;
        foreach (var h in broad)
            if (distinct.Add(h)) all.Add(h);
        YearFrom = all.Count;
        foreach (var h in year)
            if (distinct.Add(h)) all.Add(h);
        hashes = [.. all];
        Given = given;
        Paternal = paternal;
        Maternal = maternal;
        this.dates = dates;
    }

    /// <summary>The index of the first key whose members are filtered: those before it are narrow.</summary>
    public int FilteredFrom { get; }

    /// <summary>The index of the first broad key.</summary>
    public int BroadFrom { get; }

    /// <summary>The index of the first year key.</summary>
    public int YearFrom { get; }

    /// <summary>The row's given name and surnames (phonetic codes).</summary>
    public string Given { get; }

    public string? Paternal { get; }

    public string? Maternal { get; }

    /// <summary>Whether the members of key <paramref name="index"/> are candidates only when <see cref="Keeps"/> (and, for a year key, <see cref="KeepsDates"/>) say so.</summary>
    public bool Filters(int index) => index >= FilteredFrom;

    /// <summary>Whether key <paramref name="index"/> is a year key: its members must also pass <see cref="KeepsDates"/>.</summary>
    public bool AsksDates(int index) => index >= YearFrom;

    /// <summary>Whether a record with these names (phonetic codes), met through key <paramref name="index"/>, is one of the row's candidates by its names.</summary>
    public bool Keeps(int index, string given, string? paternal, string? maternal) =>
        index < FilteredFrom
        || (index < BroadFrom
            ? MatchRecord.SurnamesRelated(Paternal, Maternal, paternal, maternal)
            : MatchRecord.NamesNear(Given, Paternal, Maternal, given, paternal, maternal));

    /// <summary>Whether a record with these key dates (<see cref="MatchRecord.KeyDates"/>), met through a year key, is near enough in date.</summary>
    public bool KeepsDates((DateOnly? Birth, DateOnly? Curp) theirs) => MatchRecord.DatesNear(dates, theirs);

    public ulong this[int index] => hashes[index];

    public int Count => hashes.Length;

    public IEnumerator<ulong> GetEnumerator() => ((IEnumerable<ulong>)hashes).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => hashes.GetEnumerator();
}
