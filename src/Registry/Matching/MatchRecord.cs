using Registry.Contracts;
using Registry.Normalization;

namespace Registry.Matching;

/// <summary>
/// What matching knows of one source record: normalised identity fields, computed once when the
/// record arrives and stored in <c>match_records</c> so candidates are never re-normalised.
/// Display values stay in <c>source_records.data</c>; these are keys.
/// </summary>
public sealed record MatchRecord
{
    public Guid SourceRecordId { get; init; }
    public Guid PersonId { get; init; }

    /// <summary>The CURP when it is an identity key (<see cref="IdentityCurp"/>): valid and not contradicted by its row.</summary>
    public string? ValidCurp { get; init; }
    /// <summary>The CURP as sent, cleaned, when it is 18 characters but no identity key (a typo is still evidence).</summary>
    public string? InvalidCurp { get; init; }

    public string GivenKey { get; init; } = "";
    public string GivenSignificant { get; init; } = "";
    public string GivenPhonetic { get; init; } = "";
    public string? PaternalKey { get; init; }
    public string? PaternalPhonetic { get; init; }
    public string? MaternalKey { get; init; }
    public string? MaternalPhonetic { get; init; }
    /// <summary>The birth date the row itself gave; the only one compared as the birth-date field.</summary>
    public DateOnly? BirthDate { get; init; }
    /// <summary>
    /// The date a row without one blocks on: its CURP's (positions 5–10), even from a CURP that is no
    /// key — one mistyped character rarely falls in the date, and without a date the row shares few
    /// blocks. Never compared as a birth date: the CURP comparison already weighs it, and two rows
    /// given the same wrong CURP would otherwise "agree" twice on one string.
    /// </summary>
    public DateOnly? BlockingBirthDate => BirthDate ?? ((ValidCurp ?? InvalidCurp) is { } curp ? Curp.BirthDate(curp) : null);
    /// <summary>'H', 'M' or null (RENAPO letters).</summary>
    public char? Sex { get; init; }
    public string? PostalCode { get; init; }
    public string? Municipality { get; init; }
    public string? Phone { get; init; }
    /// <summary>Another personal identifier, letters and digits only (none if shorter than 5 or one repeated character).</summary>
    public string? OtherId { get; init; }
    /// <summary>Street (compact, street type dropped) and house number: "FORBES|44".</summary>
    public string? StreetKey { get; init; }
    /// <summary>
    /// The colonia (barrio in Colombia) as a compact key (<see cref="Addresses.ColoniaKey"/>): the neighbourhood a
    /// kitchen's list and a housing census both write down when neither has the street or the postal code of the other.
    /// </summary>
    public string? Colonia { get; init; }
    /// <summary>The name came from one full-name column, so which word is which surname is a guess.</summary>
    public bool NameFromFullName { get; init; }

    public static MatchRecord From(SourceRow row, Guid sourceRecordId = default, Guid personId = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var curp = Curp.Clean(row.Curp);
        var valid = Curp.IsValid(curp);
        var identity = IdentityCurp(row);
        var name = PersonName.Normalize(row.GivenNames, row.PaternalSurname, row.MaternalSurname);
        var sex = SexCodes.CurpLetter(SexCodes.Parse(row.Sex, SexConvention.Mexican));
        return new MatchRecord
        {
            SourceRecordId = sourceRecordId,
            PersonId = personId,
            ValidCurp = identity,
            InvalidCurp = identity is null && curp is { Length: 18 } ? curp : null,
            GivenKey = name.GivenKey,
            GivenSignificant = name.SignificantGivenName,
            GivenPhonetic = name.GivenPhonetic,
            PaternalKey = name.PaternalKey,
            PaternalPhonetic = name.PaternalPhonetic,
            MaternalKey = name.MaternalKey,
            MaternalPhonetic = name.MaternalPhonetic,
            BirthDate = row.BirthDate,
            Sex = sex ?? (valid ? curp![10] : null),
            PostalCode = Addresses.ExtractPostalCode(row.PostalCode),
            Municipality = Blank(TextNormalizer.Normalize(row.Municipality)),
            Phone = Phones.Normalize(row.Phone) is { } p && Phones.IsValid(p) ? p : null,
            OtherId = NormalizeOtherId(row.OtherId),
            StreetKey = StreetKeyOf(row.Street, row.HouseNumber),
            Colonia = Addresses.ColoniaKey(row.Colonia),
            NameFromFullName = !string.IsNullOrWhiteSpace(row.FullName),
        };
    }

    /// <summary>
    /// The row's CURP when it identifies the person: valid and consistent with the row's own name,
    /// birth date and sex (<see cref="Curp.IdentityKey"/>). The one rule for deterministic links, the
    /// two-valid-CURPs guard and the golden record's CURP.
    /// </summary>
    public static string? IdentityCurp(SourceRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Curp.IdentityKey(row.Curp, row.GivenNames, row.PaternalSurname, row.MaternalSurname, row.BirthDate,
            SexCodes.Parse(row.Sex, SexConvention.Mexican));
    }

    /// <summary>
    /// Letters and digits, upper case; placeholders (too short, one repeated character) are no identifier. A typed
    /// document (<c>CC:1036612345</c>, <see cref="IdentityDocuments"/>) keeps its type: it was validated on reading.
    /// </summary>
    public static string? NormalizeOtherId(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        if (IdentityDocuments.Split(id) is ({ } type, var number))
            return IdentityDocuments.Problem(type, number, out var typed) is null ? IdentityDocuments.Typed(type, typed) : null;
        var clean = string.Concat(id.Where(char.IsLetterOrDigit)).ToUpperInvariant();
        return clean.Length < 5 || clean.All(c => c == clean[0]) ? null : clean;
    }

    /// <summary>The street as a compact key (type words such as CALLE or AV. dropped) and the house number, "|"-joined.</summary>
    public static string? StreetKeyOf(string? street, string? number)
    {
        var key = Addresses.CompactKey(Addresses.NormalizeStreet(street), dropStreetTypes: true);
        if (key.Length == 0) return null;
        var n = string.Concat((number ?? "").Where(char.IsLetterOrDigit)).ToUpperInvariant();
        return n.Length == 0 ? key : key + "|" + n;
    }

    /// <summary>
    /// Blocking keys this record is filed under (<see cref="CandidateIndex"/>): a later record is compared
    /// with it when one of that record's <see cref="QueryKeys"/> is among them. Chosen so one error
    /// in any single field (a typo in the surname, a wrong birth date, a missing CURP) — and most
    /// pairs of errors — still leave a shared key, while keys stay selective enough that blocks are small.
    /// </summary>
    public IEnumerable<string> BlockingKeys()
    {
        var sink = new StringSink([]);
        EmitKeys(query: false, ref sink);
        return sink.Keys;
    }

    /// <summary>
    /// The keys a new record is looked up by: its <see cref="BlockingKeys"/>, except that a record
    /// with a birth date does not look up the names-only key (surnames + given name, no date) — the
    /// dated keys already cover its single date errors, and at 1M records that key was half of a
    /// row's candidates — but only the same key of the records stored without a birth date.
    /// </summary>
    public IEnumerable<string> QueryKeys()
    {
        var sink = new StringSink([]);
        EmitKeys(query: true, ref sink);
        return sink.Keys;
    }

    /// <summary>
    /// <see cref="BlockingKeys"/> (or, with <paramref name="query"/>, <see cref="QueryKeys"/>) as the
    /// candidate index files them, hashed (<see cref="KeyHash"/>) without building the keys' strings:
    /// every record's keys are computed when it is staged, blocked within its chunk and indexed.
    /// </summary>
    public void KeyHashes(bool query, List<ulong> into)
    {
        var sink = new HashSink(into);
        EmitKeys(query, ref sink);
    }

    /// <summary>
    /// Whether a record found through a <i>broad</i> key (<see cref="IsBroadKey"/>) can be the row's person. The broad keys
    /// share one surname only (with the given name and the year, the day and month or the municipality, or with the birth
    /// date) and exist for a typo in, or the lack of, the <i>other</i> surname: a member is kept when either side has one
    /// surname only, when the other surnames are within two edits (phonetic codes, a transposition counting one), or when
    /// one side's given name is the other's surname (the columns swapped, which the birth-date key is also filed for).
    /// Everyone else of that surname is a namesake whom the row's other keys would find if it were the person: unfiltered,
    /// these blocks grow with the registry, and so did every row's candidates. Arguments are phonetic codes; which record
    /// comes first does not matter.
    /// </summary>
    public static bool NamesNear(string given, string? paternal, string? maternal, string otherGiven, string? otherPaternal, string? otherMaternal)
    {
        if (paternal is null || maternal is null || otherPaternal is null || otherMaternal is null) return true;
        if ((paternal == otherPaternal && Near(maternal, otherMaternal))
            || (maternal == otherMaternal && Near(paternal, otherPaternal))
            || (paternal == otherMaternal && Near(maternal, otherPaternal))
            || (maternal == otherPaternal && Near(paternal, otherMaternal)))
            return true;
        return (given.Length > 0 && (given == otherPaternal || given == otherMaternal))
               || (otherGiven.Length > 0 && (otherGiven == paternal || otherGiven == maternal));

        static bool Near(string a, string b) => EditDistance.DamerauLevenshtein(a, b, 2) <= 2;
    }

    /// <summary>
    /// The key of the birth date and the given name (<c>dg</c>) is filed for surnames that both changed or both carry a
    /// typo — the birth date + surname key finds a row with one surname intact. A member it finds is a candidate only when
    /// some surname of one is within two edits of some surname of the other (phonetic codes), or either has none:
    /// everyone else born that day with that given name is a namesake (at a state's size, several a key, and most of a
    /// row's candidates).
    /// </summary>
    public static bool SurnamesRelated(string? paternal, string? maternal, string? otherPaternal, string? otherMaternal)
    {
        if ((paternal is null && maternal is null) || (otherPaternal is null && otherMaternal is null)) return true;
        return Related(paternal, otherPaternal) || Related(paternal, otherMaternal) || Related(maternal, otherPaternal) || Related(maternal, otherMaternal);

        static bool Related(string? a, string? b) => a is not null && b is not null && EditDistance.DamerauLevenshtein(a, b, 2) <= 2;
    }

    /// <summary>Whether <paramref name="key"/> is the birth date + given name key (<see cref="SurnamesRelated"/>).</summary>
    public static bool IsGivenDateKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith("dg:", StringComparison.Ordinal);
    }

    /// <summary>
    /// The keys that hold one surname and not the other: surname, given name and birth year (<c>sy</c>), day and month
    /// (<c>sm</c>) or municipality (<c>mg</c>, <c>mgn</c>), and birth date and surname (<c>dp</c>). What they find is
    /// kept only when <see cref="NamesNear"/> says so.
    /// </summary>
    public static bool IsBroadKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith("sy:", StringComparison.Ordinal) || key.StartsWith("sm:", StringComparison.Ordinal)
               || key.StartsWith("mg:", StringComparison.Ordinal) || key.StartsWith("mgn:", StringComparison.Ordinal)
               || key.StartsWith("dp:", StringComparison.Ordinal);
    }

    /// <summary>
    /// The broad key of a surname, the given name and the birth year (<c>sy</c>): filed for a surname typo with a wrong day
    /// <i>or</i> month, so a member it finds must also share the day or the month (or have them swapped,
    /// <see cref="DatesNear"/>). Everyone else born that year with that surname and given name is a namesake — at a
    /// state's size, dozens a key — whom the record's other keys would find if it were the person.
    /// </summary>
    public static bool IsYearKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith("sy:", StringComparison.Ordinal);
    }

    /// <summary>
    /// The dates a record's dated keys are filed under: its birth date (or its CURP's, without one) and, when its CURP
    /// says another, that one too.
    /// </summary>
    public (DateOnly? Birth, DateOnly? Curp) KeyDates => KeyDatesOf(BirthDate, ValidCurp ?? InvalidCurp);

    /// <summary><see cref="KeyDates"/> of a record with <paramref name="birthDate"/> and <paramref name="curp"/> (valid or not).</summary>
    internal static (DateOnly? Birth, DateOnly? Curp) KeyDatesOf(DateOnly? birthDate, string? curp)
    {
        var curpDate = curp is null ? null : Curp.BirthDate(curp);
        if (birthDate is null) return (curpDate, null);
        return (birthDate, curpDate == birthDate ? null : curpDate);
    }

    /// <summary>
    /// Whether two records' key dates (<see cref="KeyDates"/>) share a year with at most one slip in the rest: the same
    /// day or the same month, or the two swapped (what <see cref="IsYearKey"/> is filed for).
    /// </summary>
    public static bool DatesNear((DateOnly? Birth, DateOnly? Curp) a, (DateOnly? Birth, DateOnly? Curp) b) =>
        Near(a.Birth, b.Birth) || Near(a.Birth, b.Curp) || Near(a.Curp, b.Birth) || Near(a.Curp, b.Curp);

    private static bool Near(DateOnly? a, DateOnly? b) =>
        a is { } x && b is { } y && x.Year == y.Year
        && (x.Month == y.Month || x.Day == y.Day || (x.Month == y.Day && x.Day == y.Month));

    /// <summary>
    /// <see cref="QueryKeys"/> hashed, each once, those whose members are filtered marked — the birth date + given name
    /// keys (<see cref="IsGivenDateKey"/>), the broad ones (<see cref="IsBroadKey"/>) and among them the year keys
    /// (<see cref="IsYearKey"/>): what the candidate index and the chunk's own pairs look a row up by.
    /// </summary>
    public QueryKeySet QueryKeyHashes()
    {
        var sink = new QuerySink([], [], [], []);
        EmitKeys(query: true, ref sink);
        return new QueryKeySet(sink.Narrow, sink.GivenDate, sink.Broad, sink.Year, GivenPhonetic, PaternalPhonetic, MaternalPhonetic, KeyDates);
    }

    /// <summary>64-bit FNV-1a of the key's characters, finished with a murmur mix. A collision only adds candidates.</summary>
    private static ulong KeyHash(System.Text.StringBuilder key)
    {
        var h = 14695981039346656037UL;
        foreach (var chunk in key.GetChunks()) h = Fnv(h, chunk.Span);
        return Mix(h);
    }

    /// <summary>Tests: <see cref="KeyHash(System.Text.StringBuilder)"/> of a key's text.</summary>
    internal static ulong KeyHash(string key) => Mix(Fnv(14695981039346656037UL, key));

    private static ulong Fnv(ulong h, ReadOnlySpan<char> chars)
    {
        foreach (var c in chars)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return h;
    }

    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }

    private interface IKeySink
    {
        void Add(System.Text.StringBuilder key);
    }

    private readonly struct StringSink(List<string> keys) : IKeySink
    {
        public List<string> Keys => keys;
        public void Add(System.Text.StringBuilder key) => keys.Add(key.ToString());
    }

    private readonly struct HashSink(List<ulong> hashes) : IKeySink
    {
        public void Add(System.Text.StringBuilder key) => hashes.Add(KeyHash(key));
    }

    private readonly struct QuerySink(List<ulong> narrow, List<ulong> givenDate, List<ulong> broad, List<ulong> year) : IKeySink
    {
        public List<ulong> Narrow => narrow;
        public List<ulong> GivenDate => givenDate;
        public List<ulong> Broad => broad;
        public List<ulong> Year => year;

        // dg: (IsGivenDateKey) and sy: (IsYearKey) without building the key's string.
        public void Add(System.Text.StringBuilder key) =>
            (key.Length > 3 && key[0] == 'd' && key[1] == 'g' && key[2] == ':' ? givenDate
                : !IsBroad(key) ? narrow : key[0] == 's' && key[1] == 'y' ? year : broad).Add(KeyHash(key));

        // sy:, sm:, mg:, mgn:, dp: (IsBroadKey) without building the key's string.
        private static bool IsBroad(System.Text.StringBuilder k) =>
            k.Length > 3 && ((k[0] == 's' && k[1] is 'y' or 'm' && k[2] == ':')
                             || (k[0] == 'm' && k[1] == 'g' && (k[2] == ':' || (k[2] == 'n' && k[3] == ':')))
                             || (k[0] == 'd' && k[1] == 'p' && k[2] == ':'));
    }

    [ThreadStatic] private static System.Text.StringBuilder? keyBuffer;

    private void EmitKeys<TSink>(bool query, ref TSink sink) where TSink : struct, IKeySink
    {
        // Built by hand, not with format strings: every record's keys are built several times (staged,
        // blocked within its chunk, indexed), and formatting the dates was a third of the cost.
        var k = keyBuffer ??= new System.Text.StringBuilder(128);
        // The dated keys are filed under the row's birth date and, when its CURP (key or not) says another
        // date, under that one too: a slip in the row's date (or in the CURP's) leaves the other copy intact.
        var (birth, curpDate) = KeyDates;
        if (birth is { } dob) DatedKeys(k, dob, ref sink);
        if (curpDate is { } other) DatedKeys(k, other, ref sink);
        // Surnames in either order with the given name, no date: a birth date missing on either side.
        // Every record is stored under pg; one without a birth date also under pn. A record without
        // a date looks up pg (everyone of that name), one with a date only pn (the dateless ones).
        if (PaternalPhonetic is not null && MaternalPhonetic is not null && GivenPhonetic.Length > 0)
        {
            var (first, second) = string.CompareOrdinal(PaternalPhonetic, MaternalPhonetic) <= 0
                ? (PaternalPhonetic, MaternalPhonetic) : (MaternalPhonetic, PaternalPhonetic);
            NamesKeys(k, query, birth is null, first, second, GivenPhonetic, ref sink);
            foreach (var given in NicknamePhonetics(GivenSignificant, GivenKey))
                if (given != GivenPhonetic) NamesKeys(k, query, birth is null, first, second, given, ref sink);
        }
        // One surname only (no second surname, as in data from countries with one) and a birth date missing on either
        // side: the names-only key above needs both surnames. Records with one surname are stored under s1, records
        // without a date under s1n by each surname; a record without a date looks up s1 by each of its surnames, a
        // dated record with one surname only s1n (the dateless ones).
        if (PaternalPhonetic is not null && GivenPhonetic.Length > 0)
        {
            if (MaternalPhonetic is null && !query) sink.Add(k.Clear().Append("s1:").Append(PaternalPhonetic).Append(':').Append(GivenPhonetic));
            if (birth is null && !query)
            {
                sink.Add(k.Clear().Append("s1n:").Append(PaternalPhonetic).Append(':').Append(GivenPhonetic));
                if (MaternalPhonetic is not null && MaternalPhonetic != PaternalPhonetic) sink.Add(k.Clear().Append("s1n:").Append(MaternalPhonetic).Append(':').Append(GivenPhonetic));
            }
            if (query && birth is null)
            {
                sink.Add(k.Clear().Append("s1:").Append(PaternalPhonetic).Append(':').Append(GivenPhonetic));
                if (MaternalPhonetic is not null && MaternalPhonetic != PaternalPhonetic) sink.Add(k.Clear().Append("s1:").Append(MaternalPhonetic).Append(':').Append(GivenPhonetic));
            }
            if (query && birth is not null && MaternalPhonetic is null) sink.Add(k.Clear().Append("s1n:").Append(PaternalPhonetic).Append(':').Append(GivenPhonetic));
            // A dateless row whose given name and first surname were written in each other's column (SNELL SOPHIE /
            // SOPHIE SNELL) looks up the one-surname records under them swapped; the dated ones have dp: for it.
            if (query && birth is null && GivenPhonetic != PaternalPhonetic)
                sink.Add(k.Clear().Append("s1:").Append(GivenPhonetic).Append(':').Append(PaternalPhonetic));
        }
        // Name plus where the person lives (issue 27, sparse records): a row without a birth date and with a typo in one
        // name, or a nickname, shares no names key, and without a phone no other key either. Postal code + given name,
        // postal code + either surname, street and number + given name: blocks of a household or a few neighbours.
        if (PostalCode is not null)
        {
            if (GivenPhonetic.Length > 0) sink.Add(k.Clear().Append("zg:").Append(PostalCode).Append(':').Append(GivenPhonetic));
            if (PaternalPhonetic is not null) sink.Add(k.Clear().Append("zs:").Append(PostalCode).Append(':').Append(PaternalPhonetic));
            if (MaternalPhonetic is not null && MaternalPhonetic != PaternalPhonetic) sink.Add(k.Clear().Append("zs:").Append(PostalCode).Append(':').Append(MaternalPhonetic));
        }
        if (StreetKey is not null && GivenPhonetic.Length > 0) sink.Add(k.Clear().Append("tg:").Append(StreetKey).Append(':').Append(GivenPhonetic));
        // Municipality + either surname + given name, for a birth date missing on either side: the names keys above need
        // both surnames to agree (or the other record to have one only); this one survives a typo in, or the lack of,
        // the other surname. As with pg/pn: every record is filed under mg, a dateless one also under mgn; a dateless
        // row looks up mg, a dated row only mgn (looking up every namesake of the municipality is what made the
        // names-only key too costly for dated rows, whose dated keys already cover their single errors).
        if (Municipality is not null && GivenPhonetic.Length > 0)
        {
            if (PaternalPhonetic is not null) MunicipalityKeys(k, query, birth is null, PaternalPhonetic, ref sink);
            if (MaternalPhonetic is not null && MaternalPhonetic != PaternalPhonetic) MunicipalityKeys(k, query, birth is null, MaternalPhonetic, ref sink);
        }
        if ((ValidCurp ?? InvalidCurp) is { } curp) sink.Add(k.Clear().Append("c10:").Append(curp.AsSpan(0, 10)));
        if (Phone is not null) sink.Add(k.Clear().Append("ph:").Append(Phone));
        // The number without its type: RC, TI and CC of one person carry one NUIP (IdentityDocuments).
        if (OtherId is not null) sink.Add(k.Clear().Append("oi:").Append(IdentityDocuments.Split(OtherId).Number));
    }

    private void MunicipalityKeys<TSink>(System.Text.StringBuilder k, bool query, bool dateless, string surname, ref TSink sink)
        where TSink : struct, IKeySink
    {
        if (query) sink.Add(k.Clear().Append(dateless ? "mg:" : "mgn:").Append(Municipality).Append(':').Append(surname).Append(':').Append(GivenPhonetic));
        else
        {
            sink.Add(k.Clear().Append("mg:").Append(Municipality).Append(':').Append(surname).Append(':').Append(GivenPhonetic));
            if (dateless) sink.Add(k.Clear().Append("mgn:").Append(Municipality).Append(':').Append(surname).Append(':').Append(GivenPhonetic));
        }
    }

    private static void NamesKeys<TSink>(System.Text.StringBuilder k, bool query, bool dateless, string first, string second, string given, ref TSink sink)
        where TSink : struct, IKeySink
    {
        if (dateless)
        {
            sink.Add(k.Clear().Append("pg:").Append(first).Append(':').Append(second).Append(':').Append(given));
            if (!query) sink.Add(k.Clear().Append("pn:").Append(first).Append(':').Append(second).Append(':').Append(given));
        }
        else sink.Add(k.Clear().Append(query ? "pn:" : "pg:").Append(first).Append(':').Append(second).Append(':').Append(given));
    }

    /// <summary>The keys that carry a birth date (or its year, or its day and month), for one date of the record.</summary>
    private void DatedKeys<TSink>(System.Text.StringBuilder k, DateOnly dob, ref TSink sink) where TSink : struct, IKeySink
    {
        // Birth date and either surname, in either position: a typo in the other surname and the
        // given name, a missing second surname, swapped surnames.
        if (PaternalPhonetic is not null) sink.Add(Date(k.Clear().Append("dp:"), dob).Append(':').Append(PaternalPhonetic));
        if (MaternalPhonetic is not null && MaternalPhonetic != PaternalPhonetic) sink.Add(Date(k.Clear().Append("dp:"), dob).Append(':').Append(MaternalPhonetic));
        if (GivenPhonetic.Length > 0)
        {
            sink.Add(Date(k.Clear().Append("dg:"), dob).Append(':').Append(GivenPhonetic));
            // The given name as if it were the surname (the columns swapped): birth date + surname of the other record.
            if (GivenPhonetic != PaternalPhonetic && GivenPhonetic != MaternalPhonetic) sink.Add(Date(k.Clear().Append("dp:"), dob).Append(':').Append(GivenPhonetic));
        }
        // Birth date and postal code: a row whose names both changed or both carry a typo, or that lacks a given name,
        // still meets its record where it lives. Few people share a birth date and a postal code, at any registry size.
        if (PostalCode is not null) sink.Add(Date(k.Clear().Append("dz:"), dob).Append(':').Append(PostalCode));
        // Birth date and the initials of the given name and first surname: typos in both names.
        if (GivenKey.Length > 0 && PaternalKey is { Length: > 0 }) sink.Add(Date(k.Clear().Append("di:"), dob).Append(':').Append(GivenKey[0]).Append(PaternalKey[0]));
        if (GivenPhonetic.Length == 0) return;
        foreach (var given in NicknamePhonetics(GivenSignificant, GivenKey))
            if (given != GivenPhonetic) sink.Add(Date(k.Clear().Append("dg:"), dob).Append(':').Append(given));
        GivenDatedKeys(k, dob, GivenPhonetic, ref sink);
        foreach (var given in NicknamePhonetics(GivenSignificant, GivenKey))
            if (given != GivenPhonetic) GivenDatedKeys(k, dob, given, ref sink);
    }

    private void GivenDatedKeys<TSink>(System.Text.StringBuilder k, DateOnly dob, string given, ref TSink sink) where TSink : struct, IKeySink
    {
        // A surname typo and a wrong day or month: given name, either surname (in either position, so that
        // swapped surnames with a missing one or a typo in the other still meet) and birth year. (Not a span of
        // years: such a block grows with the registry — at 1M records a five-year span held ~14 records per key
        // and was most of a row's candidates.)
        if (PaternalPhonetic is not null) sink.Add(Digits(k.Clear().Append("sy:").Append(PaternalPhonetic).Append(':').Append(given).Append(':'), dob.Year, 1));
        if (MaternalPhonetic is not null && MaternalPhonetic != PaternalPhonetic) sink.Add(Digits(k.Clear().Append("sy:").Append(MaternalPhonetic).Append(':').Append(given).Append(':'), dob.Year, 1));
        // A wrong year and a typo in the other surname: either surname, given name, day and month.
        if (PaternalPhonetic is not null) sink.Add(MonthDay(k.Clear().Append("sm:").Append(PaternalPhonetic).Append(':').Append(given).Append(':'), dob));
        if (MaternalPhonetic is not null && MaternalPhonetic != PaternalPhonetic) sink.Add(MonthDay(k.Clear().Append("sm:").Append(MaternalPhonetic).Append(':').Append(given).Append(':'), dob));
    }

    // Phonetic keys per nickname, for the table in force (a new table, in tests, starts a new cache).
    private static (int Generation, System.Collections.Concurrent.ConcurrentDictionary<string, string[]> Keys) nicknameCache = (0, new(StringComparer.Ordinal));

    private static System.Collections.Concurrent.ConcurrentDictionary<string, string[]> NicknameCache
    {
        get
        {
            var cache = nicknameCache;
            if (cache.Generation == NicknameTable.Generation) return cache.Keys;
            nicknameCache = cache = (NicknameTable.Generation, new(StringComparer.Ordinal));
            return cache.Keys;
        }
    }

    /// <summary>
    /// The phonetic keys of the given names a nickname stands for (LUPE → GUADALUPE, CHEMA → JOSÉ MARÍA's MARIA; the
    /// significant name, or the whole given names), so a row registered by nickname shares the name keys of its
    /// person's other rows: with one more error (a wrong year, a missing surname) the nickname had been the one key
    /// field left apart. Empty for a name that is no nickname (most rows: one lookup in the nickname table).
    /// </summary>
    private static IEnumerable<string> NicknamePhonetics(string significant, string givenKey)
    {
        foreach (var name in significant == givenKey ? [significant] : new[] { significant, givenKey })
        {
            if (name.Length == 0 || !Normalization.PersonName.Nicknames.ContainsKey(name)) continue;
            foreach (var phonetic in NicknameCache.GetOrAdd(name, static n => [.. Normalization.PersonName.CanonicalGivenNames(n)
                         .Select(c => SpanishPhonetic.Encode(Normalization.PersonName.SignificantGivenName(c))).Where(p => p.Length > 0).Distinct()]))
                yield return phonetic;
        }
    }

    // yyyy-MM-dd
    private static System.Text.StringBuilder Date(System.Text.StringBuilder k, DateOnly d) =>
        Digits(Digits(Digits(k, d.Year, 4).Append('-'), d.Month, 2).Append('-'), d.Day, 2);

    // MMdd
    private static System.Text.StringBuilder MonthDay(System.Text.StringBuilder k, DateOnly d) => Digits(Digits(k, d.Month, 2), d.Day, 2);

    // A non-negative number in decimal, zero-padded to at least `width` digits.
    private static System.Text.StringBuilder Digits(System.Text.StringBuilder k, int value, int width)
    {
        Span<char> digits = stackalloc char[10];
        var n = 0;
        do
        {
            digits[n++] = (char)('0' + value % 10);
            value /= 10;
        }
        while (value > 0);
        for (var i = n; i < width; i++) k.Append('0');
        for (var i = n - 1; i >= 0; i--) k.Append(digits[i]);
        return k;
    }

    private static string? Blank(string s) => s.Length == 0 ? null : s;
}
