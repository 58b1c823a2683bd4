namespace Registry.Feeds;

/// <summary>
/// How one agency feed is read: who sends it, its sector, the CSV dialect, and which of its
/// columns carry which canonical field. Kept as versioned JSON files under deploy/feeds/.
/// </summary>
public sealed record FeedDefinition
{
    public required string Code { get; init; }
    public int Version { get; init; } = 1;
    public required AgencyInfo Agency { get; init; }
    public required string Sector { get; init; }
    public required string Kind { get; init; }
    public CsvDialect Csv { get; init; } = new();

    /// <summary>Canonical field → header names accepted for it (first is the documented one, the rest aliases).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Fields { get; init; }

    /// <summary>Canonical fields that must be non-empty for a row to be accepted.</summary>
    public IReadOnlyList<string> Required { get; init; } = [];

    /// <summary>
    /// Canonical fields that identify one agency record across extracts (agencies re-send whole
    /// rosters): the same key with the same content is unchanged, with other content a new version.
    /// </summary>
    public IReadOnlyList<string> RecordKey { get; init; } = [];

    /// <summary>Per-field code lists: canonical field → (agency value → registry value).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Values { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>The file the definition was loaded from (for error messages).</summary>
    public string SourceFile { get; init; } = "";
}

public sealed record AgencyInfo(string Code, string Name);

public sealed record CsvDialect
{
    public string Delimiter { get; init; } = ",";
    public string Encoding { get; init; } = "utf-8";
    public IReadOnlyList<string> DateFormats { get; init; } = ["dd/MM/yyyy", "yyyy-MM-dd"];
}

/// <summary>The registry's vocabulary: every feed maps its columns onto these names.</summary>
public static class CanonicalFields
{
    public const string AgencyPersonId = "agency_person_id";
    public const string Curp = "curp";
    public const string GivenNames = "given_names";
    public const string PaternalSurname = "paternal_surname";
    public const string MaternalSurname = "maternal_surname";
    public const string Sex = "sex";
    public const string BirthDate = "birth_date";
    public const string Phone = "phone";
    public const string Street = "street";
    public const string HouseNumber = "house_number";
    public const string Colonia = "colonia";
    public const string PostalCode = "postal_code";
    public const string Municipality = "municipality";
    public const string Poligono = "poligono";
    public const string AgencyHouseholdId = "agency_household_id";
    public const string RelationshipToHead = "relationship_to_head";
    public const string Programme = "programme";
    public const string ServiceType = "service_type";
    public const string ServiceDate = "service_date";
    public const string ServiceStatus = "service_status";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        AgencyPersonId, Curp, GivenNames, PaternalSurname, MaternalSurname, Sex, BirthDate, Phone, Street,
        HouseNumber, Colonia, PostalCode, Municipality, Poligono, AgencyHouseholdId, RelationshipToHead,
        Programme, ServiceType, ServiceDate, ServiceStatus,
    };

    /// <summary>Record key used when a feed names none: one service delivered to one person.</summary>
    public static readonly IReadOnlyList<string> DefaultRecordKey = [AgencyPersonId, Programme, ServiceType, ServiceDate];

    public static readonly IReadOnlySet<string> Dates = new HashSet<string>(StringComparer.Ordinal) { BirthDate, ServiceDate };
}

public static class Sectors
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        "health", "education", "economy", "security", "housing", "social",
    };
}
