namespace Registry.Matching;

/// <summary>
/// The hashes a row's candidates are looked up by (<see cref="MatchRecord.QueryKeyHashes"/>), each once: the narrow keys
/// first, then the broad ones (<see cref="MatchRecord.IsBroadKey"/>), whose members count as candidates only when
/// <see cref="Keeps"/> them — by the row's names, kept here — and, through a year key, <see cref="KeepsDates"/>. A plain list of hashes is looked up with no such condition.
/// </summary>
public sealed class QueryKeySet : IReadOnlyList<ulong>
{
    private readonly ulong[] hashes;

    private readonly (DateOnly?, DateOnly?) dates;

    internal QueryKeySet(List<ulong> narrow, List<ulong> broad, List<ulong> year, string given, string? paternal, string? maternal,
        (DateOnly? Birth, DateOnly? Curp) dates)
    {
        var distinct = new HashSet<ulong>();
        var all = new List<ulong>(narrow.Count + broad.Count + year.Count);
        foreach (var h in narrow)
            if (distinct.Add(h)) all.Add(h);
        BroadFrom = all.Count;
        // A key whose hash is also a less strict one's (a collision) keeps the less strict condition: it finds everyone it did.
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

    /// <summary>The index of the first broad key: those at and after it are broad.</summary>
    public int BroadFrom { get; }

    /// <summary>The index of the first year key (<see cref="MatchRecord.IsYearKey"/>): those at and after it also ask <see cref="KeepsDates"/>.</summary>
    public int YearFrom { get; }

    public bool IsYearKey(int index) => index >= YearFrom;

    /// <summary>Whether a record with these key dates (<see cref="MatchRecord.KeyDates"/>), met through a year key, is near enough in date.</summary>
    public bool KeepsDates((DateOnly? Birth, DateOnly? Curp) theirs) => MatchRecord.DatesNear(dates, theirs);

    /// <summary>The row's given name and surnames (phonetic codes).</summary>
    public string Given { get; }

    public string? Paternal { get; }

    public string? Maternal { get; }

    public bool IsBroad(int index) => index >= BroadFrom;

    /// <summary>Whether a record with these names (phonetic codes), met through a broad key, is one of the row's candidates.</summary>
    public bool Keeps(string given, string? paternal, string? maternal) => MatchRecord.NamesNear(Given, Paternal, Maternal, given, paternal, maternal);

    public ulong this[int index] => hashes[index];

    public int Count => hashes.Length;

    public IEnumerator<ulong> GetEnumerator() => ((IEnumerable<ulong>)hashes).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => hashes.GetEnumerator();
}
