using Npgsql;

namespace Registry.Matching;

/// <summary>
/// How a <see cref="MatchRecord"/> is read back from <c>match_records</c>: one column list and one
/// reader for the resolver's candidates, EM training and the accuracy benchmark's diagnosis.
/// </summary>
public static class MatchRecordRows
{
    private static readonly string[] ColumnNames =
    [
        "source_record_id", "person_id", "valid_curp", "invalid_curp", "given_key", "given_significant", "given_phonetic",
        "paternal_key", "paternal_phonetic", "maternal_key", "maternal_phonetic", "birth_date", "sex", "postal_code",
        "municipality", "phone", "name_from_full_name", "other_id", "street_key", "colonia",
    ];

    /// <summary>The column names, in the order <see cref="Read"/> expects them (a benchmark's COPY writes them in it).</summary>
    public static IReadOnlyList<string> Names => ColumnNames;

    /// <summary>How many columns <see cref="Columns"/> selects.</summary>
    public static int Width => ColumnNames.Length;

    /// <summary>The columns <see cref="Read"/> expects, in order, qualified by a table alias.</summary>
    public static string Columns(string alias) => string.Join(", ", ColumnNames.Select(c => alias + "." + c));

    /// <summary>
    /// Reads the record whose <see cref="Columns"/> start at <paramref name="offset"/>. Values that repeat
    /// across records (names, postal code, municipality, colonia) go through <paramref name="intern"/> when given.
    /// </summary>
    public static MatchRecord Read(NpgsqlDataReader reader, int offset, Func<string, string>? intern = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string? Str(int i) => reader.IsDBNull(offset + i) ? null : reader.GetString(offset + i);
        string? Shared(int i) { var s = Str(i); return s is not null && intern is not null ? intern(s) : s; }
        return new MatchRecord
        {
            SourceRecordId = reader.GetGuid(offset),
            PersonId = reader.GetGuid(offset + 1),
            ValidCurp = Str(2),
            InvalidCurp = Str(3),
            GivenKey = Shared(4) ?? "",
            GivenSignificant = Shared(5) ?? "",
            GivenPhonetic = Shared(6) ?? "",
            PaternalKey = Shared(7),
            PaternalPhonetic = Shared(8),
            MaternalKey = Shared(9),
            MaternalPhonetic = Shared(10),
            BirthDate = reader.IsDBNull(offset + 11) ? null : reader.GetFieldValue<DateOnly>(offset + 11),
            Sex = reader.IsDBNull(offset + 12) ? null : reader.GetChar(offset + 12),
            PostalCode = Shared(13),
            Municipality = Shared(14),
            Phone = Str(15),
            NameFromFullName = reader.GetBoolean(offset + 16),
            OtherId = Str(17),
            StreetKey = Str(18),
            Colonia = Shared(19),
        };
    }
}
