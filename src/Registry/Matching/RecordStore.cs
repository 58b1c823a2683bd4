using System.Runtime.CompilerServices;

namespace Registry.Matching;

/// <summary>
/// The candidate index's match records, compact: one 64-byte struct a record in pages (its ids, its birth date and
/// sex, and ids of its given name, surnames and place in small tables of the distinct values), plus the values
/// that are nearly unique to it (CURP, phone, other identifier, street) as bytes in a paged heap. A
/// <see cref="MatchRecord"/> object with strings cost about 230 bytes a record; this, about 75 plus those few bytes.
/// A candidate is given back as a <see cref="MatchRecord"/> built from these when a lookup finds it, equal to the one
/// filed (<see cref="Get"/>), its shared strings the same instances each time.
/// <para>
/// Ordinals are ints (the index's records are counted as one), and every table here is addressed by a long.
/// Not thread-safe: <see cref="CandidateIndex"/> calls it under its gate.
/// </para>
/// </summary>
internal sealed class RecordStore
{
    private struct Stored
    {
        public Guid Id;
        public Guid Person;
        public long Extra;      // where its nearly unique strings start in the heap (Flags say which)
        public int Given;       // (key, significant, phonetic)
        public int Paternal;    // (key, phonetic)
        public int Maternal;
        public int Place;       // (postal code, municipality, colonia)
        public int Birth;       // DayNumber + 1; 0: none
        public char Sex;        // '\0': none
        public byte Flags;
    }

    [Flags]
    private enum Has : byte
    {
        NameFromFullName = 1, ValidCurp = 2, InvalidCurp = 4, Phone = 8, OtherId = 16, StreetKey = 32,
        // The CURP gives a key date the birth date does not (it differs, or there is no birth date): KeyDates reads it.
        CurpKeyDate = 64,
    }

    private const double MaxIdLoad = 0.7;
    private readonly PagedArray<Stored> rows = new();
    private readonly PagedArray<byte> heap = new();
    // Source record id → ordinal + 1 (0: empty), open-addressed; compared through rows' ids.
    private PagedArray<int> ids = PagedArray<int>.OfLength(PagedArray<int>.PageSize);
    private long idsLength = PagedArray<int>.PageSize;
    private readonly Values<(string, string, string)> givens = new();
    private readonly Values<(string?, string?)> surnames = new();
    private readonly Values<(string?, string?, string?)> places = new();
    // Names, postal codes and municipalities repeat across the tables above: one string each.
    private readonly Dictionary<string, string> strings = new(StringComparer.Ordinal);
    private readonly Func<(string, string, string), (string, string, string)> sharedGiven;
    private readonly Func<(string?, string?), (string?, string?)> sharedSurname;
    private readonly Func<(string?, string?, string?), (string?, string?, string?)> sharedPlace;

    public RecordStore()
    {
        sharedGiven = v => (Intern(v.Item1), Intern(v.Item2), Intern(v.Item3));
        sharedSurname = v => (Shared(v.Item1), Shared(v.Item2));
        sharedPlace = v => (Shared(v.Item1), Shared(v.Item2), Shared(v.Item3));
    }

    /// <summary>Records stored.</summary>
    public int Count => (int)rows.Count;

    /// <summary>Bytes held, roughly: the pages, the id table and the distinct values (for the memory report).</summary>
    public long Bytes => rows.Capacity * Unsafe.SizeOf<Stored>() + heap.Capacity + idsLength * sizeof(int)
                         + (givens.Count + surnames.Count + places.Count + strings.Count) * 64L;

    /// <summary>Stores <paramref name="record"/> as the next ordinal; its source record id must be new (<see cref="TryFind"/>).</summary>
    public int Add(MatchRecord record)
    {
        if (rows.Count >= int.MaxValue) throw new InvalidOperationException("The candidate index holds 2^31 - 1 records, its most.");
        if (rows.Count + 1 > idsLength * MaxIdLoad) GrowIds();
        var ordinal = (int)rows.Count;
        rows.Add(Encode(record));
        ref var slot = ref FindId(ids, idsLength, record.SourceRecordId);
        slot = ordinal + 1;
        return ordinal;
    }

    /// <summary>Stores <paramref name="record"/> (the same source record, moved to another person) in place of the one at <paramref name="ordinal"/>.</summary>
    public void Replace(int ordinal, MatchRecord record) => rows[ordinal] = Encode(record);

    /// <summary>The ordinal of the record with <paramref name="sourceRecordId"/>, if stored.</summary>
    public bool TryFind(Guid sourceRecordId, out int ordinal)
    {
        ordinal = FindId(ids, idsLength, sourceRecordId) - 1;
        return ordinal >= 0;
    }

    public Guid SourceRecordId(int ordinal) => rows[ordinal].Id;

    public Guid PersonId(int ordinal) => rows[ordinal].Person;

    /// <summary>The record's valid CURP, if any (without building the rest of it).</summary>
    public string? ValidCurp(int ordinal)
    {
        ref var row = ref rows[ordinal];
        if (((Has)row.Flags & Has.ValidCurp) == 0) return null;
        var at = row.Extra;
        return ReadString(ref at);
    }

    /// <summary>The phonetic codes of the record's given name and surnames, without building the rest of it (<see cref="MatchRecord.NamesNear"/>).</summary>
    public (string Given, string? Paternal, string? Maternal) NamePhonetics(int ordinal)
    {
        ref readonly var row = ref rows[ordinal];
        return (givens[row.Given].Item3, surnames[row.Paternal].Item2, surnames[row.Maternal].Item2);
    }

    /// <summary>
    /// The record's <see cref="MatchRecord.KeyDates"/>, without building the rest of it: from the stored birth date alone
    /// unless its CURP says otherwise (<see cref="Has.CurpKeyDate"/>), the one case that reads and parses the CURP. A year
    /// key checks this for every member it meets.
    /// </summary>
    public (DateOnly? Birth, DateOnly? Curp) KeyDates(int ordinal)
    {
        ref readonly var row = ref rows[ordinal];
        DateOnly? birth = row.Birth == 0 ? null : DateOnly.FromDayNumber(row.Birth - 1);
        if (((Has)row.Flags & Has.CurpKeyDate) == 0) return (birth, null);
        // The flag implies a CURP: the valid one comes first in the heap, else the invalid one (Get).
        var at = row.Extra;
        return MatchRecord.KeyDatesOf(birth, ReadString(ref at));
    }

    /// <summary>The record as it was filed.</summary>
    public MatchRecord Get(int ordinal)
    {
        ref readonly var row = ref rows[ordinal];
        var has = (Has)row.Flags;
        var at = row.Extra;
        var validCurp = (has & Has.ValidCurp) != 0 ? ReadString(ref at) : null;
        var invalidCurp = (has & Has.InvalidCurp) != 0 ? ReadString(ref at) : null;
        var phone = (has & Has.Phone) != 0 ? ReadString(ref at) : null;
        var otherId = (has & Has.OtherId) != 0 ? ReadString(ref at) : null;
        var streetKey = (has & Has.StreetKey) != 0 ? ReadString(ref at) : null;
        var (givenKey, givenSignificant, givenPhonetic) = givens[row.Given];
        var (paternalKey, paternalPhonetic) = surnames[row.Paternal];
        var (maternalKey, maternalPhonetic) = surnames[row.Maternal];
        var (postalCode, municipality, colonia) = places[row.Place];
        return new MatchRecord
        {
            SourceRecordId = row.Id,
            PersonId = row.Person,
            ValidCurp = validCurp,
            InvalidCurp = invalidCurp,
            GivenKey = givenKey,
            GivenSignificant = givenSignificant,
            GivenPhonetic = givenPhonetic,
            PaternalKey = paternalKey,
            PaternalPhonetic = paternalPhonetic,
            MaternalKey = maternalKey,
            MaternalPhonetic = maternalPhonetic,
            BirthDate = row.Birth == 0 ? null : DateOnly.FromDayNumber(row.Birth - 1),
            Sex = row.Sex == '\0' ? null : row.Sex,
            PostalCode = postalCode,
            Municipality = municipality,
            Phone = phone,
            OtherId = otherId,
            StreetKey = streetKey,
            Colonia = colonia,
            NameFromFullName = (has & Has.NameFromFullName) != 0,
        };
    }

    private Stored Encode(MatchRecord r)
    {
        if (r.Sex == '\0') throw new ArgumentException("A match record's sex is a letter or none.", nameof(r));
        var has = (r.NameFromFullName ? Has.NameFromFullName : 0) | (r.ValidCurp is null ? 0 : Has.ValidCurp)
            | (r.InvalidCurp is null ? 0 : Has.InvalidCurp) | (r.Phone is null ? 0 : Has.Phone)
            | (r.OtherId is null ? 0 : Has.OtherId) | (r.StreetKey is null ? 0 : Has.StreetKey)
            | (r.KeyDates != (r.BirthDate, null) ? Has.CurpKeyDate : 0);
        var extra = heap.Count;
        var length = Size(r.ValidCurp) + Size(r.InvalidCurp) + Size(r.Phone) + Size(r.OtherId) + Size(r.StreetKey);
        if (length > 0)
        {
            var at = heap.Reserve(length);
            Write(ref at, r.ValidCurp);
            Write(ref at, r.InvalidCurp);
            Write(ref at, r.Phone);
            Write(ref at, r.OtherId);
            Write(ref at, r.StreetKey);
        }
        return new Stored
        {
            Id = r.SourceRecordId,
            Person = r.PersonId,
            Extra = extra,
            Given = givens.Of((r.GivenKey, r.GivenSignificant, r.GivenPhonetic), sharedGiven),
            Paternal = surnames.Of((r.PaternalKey, r.PaternalPhonetic), sharedSurname),
            Maternal = surnames.Of((r.MaternalKey, r.MaternalPhonetic), sharedSurname),
            Place = places.Of((r.PostalCode, r.Municipality, r.Colonia), sharedPlace),
            Birth = r.BirthDate is { } birth ? birth.DayNumber + 1 : 0,
            Sex = r.Sex ?? '\0',
            Flags = (byte)has,
        };
    }

    // A string as its length and kind (a varint of length * 2 + wide) and its characters: one byte each when all are
    // below 256 (the keys are upper-case Latin letters and digits), else two — any string comes back as it went in.
    private static long Size(string? s)
    {
        if (s is null) return 0;
        var wide = IsWide(s);
        return VarintSize(((ulong)s.Length << 1) | (wide ? 1UL : 0)) + (wide ? 2L : 1L) * s.Length;
    }

    private static bool IsWide(string s)
    {
        foreach (var c in s)
            if (c > 0xFF) return true;
        return false;
    }

    private static int VarintSize(ulong v)
    {
        var n = 1;
        while (v >= 0x80) { v >>= 7; n++; }
        return n;
    }

    private void Write(ref long at, string? s)
    {
        if (s is null) return;
        var wide = IsWide(s);
        var v = ((ulong)s.Length << 1) | (wide ? 1UL : 0);
        while (v >= 0x80)
        {
            heap[at++] = (byte)(v | 0x80);
            v >>= 7;
        }
        heap[at++] = (byte)v;
        if (!wide && s.Length > 0 && PagedArray<byte>.LeftInPage(at) >= s.Length)
        {
            System.Text.Encoding.Latin1.GetBytes(s, heap.Slice(at, s.Length));
            at += s.Length;
            return;
        }
        foreach (var c in s)
        {
            heap[at++] = (byte)c;
            if (wide) heap[at++] = (byte)(c >> 8);
        }
    }

    private string ReadString(ref long at)
    {
        ulong v = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = heap[at++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) break;
        }
        var wide = (v & 1) != 0;
        var length = (int)(v >> 1);
        var start = at;
        if (length == 0) return "";
        if (!wide && PagedArray<byte>.LeftInPage(at) >= length)
        {
            at += length;
            return System.Text.Encoding.Latin1.GetString(heap.Slice(start, length));
        }
        at += (wide ? 2L : 1L) * length;
        return string.Create(length, (this, start, wide), static (chars, state) =>
        {
            var (store, from, w) = state;
            for (var i = 0; i < chars.Length; i++)
                chars[i] = w ? (char)(store.heap[from + 2L * i] | (store.heap[from + 2L * i + 1] << 8)) : (char)store.heap[from + i];
        });
    }

    private string Intern(string value)
    {
        if (strings.TryGetValue(value, out var shared)) return shared;
        strings[value] = value;
        return value;
    }

    private string? Shared(string? value) => value is null ? null : Intern(value);

    // The id's place: its two halves mixed, scaled to the table's length.
    private static long Home(Guid id, long length)
    {
        Span<ulong> halves = stackalloc ulong[2];
        id.TryWriteBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(halves));
        var h = (halves[0] ^ (halves[1] * 0x9E3779B97F4A7C15UL)) * 0xff51afd7ed558ccdUL;
        h ^= h >> 32;
        return (long)Math.BigMul(h, (ulong)length, out _);
    }

    private ref int FindId(PagedArray<int> table, long length, Guid id)
    {
        var i = Home(id, length);
        while (true)
        {
            ref var slot = ref table[i];
            if (slot == 0 || rows[slot - 1].Id == id) return ref slot;
            if (++i == length) i = 0;
        }
    }

    private void GrowIds()
    {
        var grown = PagedArray<int>.PagesFor(idsLength + idsLength / 2) * PagedArray<int>.PageSize;
        var larger = PagedArray<int>.OfLength(grown);
        for (long i = 0; i < idsLength; i++)
            if (ids[i] is var slot and > 0) FindId(larger, grown, rows[slot - 1].Id) = slot;
        ids = larger;
        idsLength = grown;
    }

    /// <summary>Distinct values, each with an int id in order of first use.</summary>
    private sealed class Values<T> where T : notnull
    {
        private readonly Dictionary<T, int> ids = [];
        private readonly List<T> values = [];

        public int Count => values.Count;

        public T this[int id] => values[id];

        /// <summary>The id of <paramref name="value"/>; a new value is kept as <paramref name="shared"/> makes it (its strings interned).</summary>
        public int Of(T value, Func<T, T> shared)
        {
            if (ids.TryGetValue(value, out var id)) return id;
            var kept = shared(value);
            id = values.Count;
            ids[kept] = id;
            values.Add(kept);
            return id;
        }
    }
}
