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
    /// <summary>
    /// The country whose documents and territory the agency's data carries: <c>MX</c> (default: CURP, municipio +
    /// polígono + colonia) or <c>CO</c> (cédula / tarjeta de identidad / registro civil, municipio + comuna or
    /// corregimiento + barrio). The synthetic population writes a country's feeds for that country's people.
    /// </summary>
    public string Country { get; init; } = Countries.Mexico;
    public required string Kind { get; init; }
    public CsvDialect Csv { get; init; } = new();

    /// <summary>How an <c>api-pull</c> feed is fetched (null for csv-drop feeds).</summary>
    public ApiPullSettings? Api { get; init; }

    /// <summary>Date formats of this feed's values: the API's for api-pull feeds, the CSV dialect's otherwise.</summary>
    public IReadOnlyList<string> DateFormats => Api?.DateFormats ?? Csv.DateFormats;

    /// <summary>Canonical field → header names accepted for it (first is the documented one, the rest aliases).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Fields { get; init; }

    /// <summary>Canonical fields that must be non-empty for a row to be accepted.</summary>
    public IReadOnlyList<string> Required { get; init; } = [];

    /// <summary>
    /// Canonical fields that identify one agency record across extracts (agencies re-send whole
    /// rosters): the same key with the same content is unchanged, with other content a new version.
    /// </summary>
    public IReadOnlyList<string> RecordKey { get; init; } = [];

    /// <summary>
    /// Order of the words in a <c>full_name</c> column: <see cref="FullNameOrders.GivenFirst"/> ("MARIA LOPEZ CANTU")
    /// or <see cref="FullNameOrders.SurnamesFirst"/> ("LOPEZ CANTU MARIA"). A comma always means "surnames, given names".
    /// </summary>
    public string FullNameOrder { get; init; } = FullNameOrders.GivenFirst;

    /// <summary>Per-field code lists: canonical field → (agency value → registry value).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Values { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>
    /// Whether this feed's address is a verified residence (a household census, a home visit, the
    /// dwelling itself) rather than where a service happened (a clinic, a school, a kitchen). Only such
    /// a feed's rows can move a person to another municipality, and so change a case manager's
    /// territory; even then only when the row corroborates the person's identity. Default false.
    /// </summary>
    public bool ResidenceAuthoritative { get; init; }

    /// <summary>What this feed's values may plausibly be (earliest birth year); an implausible optional value is left out with a warning.</summary>
    public FieldQualitySettings Quality { get; init; } = new();

    /// <summary>The file the definition was loaded from (for error messages).</summary>
    public string SourceFile { get; init; } = "";

    /// <summary>The definition's JSON text as loaded (recorded on each extract parsed with it).</summary>
    public string Json { get; init; } = "";
}

public sealed record AgencyInfo(string Code, string Name);

public sealed record CsvDialect
{
    public string Delimiter { get; init; } = ",";
    public string Encoding { get; init; } = "utf-8";
    public IReadOnlyList<string> DateFormats { get; init; } = ["dd/MM/yyyy", "yyyy-MM-dd"];
}

/// <summary>
/// Plausible ranges of a feed's values (the <c>quality</c> section of a definition). A value outside
/// them is not evidence: it is left out of matching and the golden record with a warning
/// (<see cref="FieldQuality"/>), and the row is kept unless the field is required.
/// </summary>
public sealed record FieldQualitySettings
{
    /// <summary>The registry reads no date before 1900 at all.</summary>
    public const int FirstReadableYear = 1900;

    /// <summary>A birth date before this year is implausible (a placeholder such as 01/01/1900, a mistyped century).</summary>
    public int EarliestBirthYear { get; init; } = FirstReadableYear;
}

public static class FullNameOrders
{
    public const string GivenFirst = "given-first";
    public const string SurnamesFirst = "surnames-first";
}

public static class FeedKinds
{
    public const string CsvDrop = "csv-drop";
    public const string ApiPull = "api-pull";
}

/// <summary>
/// How the workers page through an agency's REST API. Only names of configuration settings live
/// here (base URL, secret): the definition is versioned in the repository, secrets never are.
/// Each JSON page is one extract; <see cref="FeedDefinition.Fields"/> maps item properties
/// (dotted paths for nested objects) onto canonical fields, exactly like CSV columns.
/// </summary>
public sealed record ApiPullSettings
{
    /// <summary>Configuration key holding the agency API's base URL (e.g. <c>AgencyApis:SNE:BaseUrl</c>).</summary>
    public string BaseUrlSetting { get; init; } = "";

    /// <summary>Path of the paged collection, relative to the base URL.</summary>
    public string Path { get; init; } = "";

    /// <summary><see cref="ApiPaging.PageToken"/> or <see cref="ApiPaging.UpdatedSince"/>.</summary>
    public string Paging { get; init; } = "";

    public int PageSize { get; init; } = 100;

    /// <summary>Cron expression (UTC) of the recurring pull.</summary>
    public string Schedule { get; init; } = "0 * * * *";

    /// <summary>Header carrying the credential and the configuration key holding it; null = no auth.</summary>
    public ApiAuth? Auth { get; init; }

    /// <summary>Property of the page object holding the array of records.</summary>
    public string ItemsProperty { get; init; } = "items";

    /// <summary>Page-token paging: property of the page holding the next token (null or absent on the last page).</summary>
    public string NextPageTokenProperty { get; init; } = "nextPageToken";

    /// <summary>Updated-since paging: property of each record holding its last-modified timestamp (ISO 8601).</summary>
    public string UpdatedAtProperty { get; init; } = "updatedAt";

    public string PageSizeParameter { get; init; } = "pageSize";
    public string PageTokenParameter { get; init; } = "pageToken";
    public string UpdatedSinceParameter { get; init; } = "updatedSince";

    public IReadOnlyList<string> DateFormats { get; init; } = ["yyyy-MM-dd"];
}

public sealed record ApiAuth
{
    /// <summary>HTTP header that carries the credential (e.g. <c>X-Api-Key</c> or <c>Authorization</c>).</summary>
    public string Header { get; init; } = "";

    /// <summary>Configuration key holding the credential's value (e.g. <c>AgencyApis:SNE:ApiKey</c>).</summary>
    public string SecretSetting { get; init; } = "";
}

public static class ApiPaging
{
    /// <summary>Each page names the token of the next; a completed run starts again from the first page.</summary>
    public const string PageToken = "page-token";

    /// <summary>Records modified after the cursor, oldest first; the cursor is the newest timestamp applied.</summary>
    public const string UpdatedSince = "updated-since";
}

/// <summary>The countries a feed's data may come from (ISO 3166-1 alpha-2).</summary>
public static class Countries
{
    public const string Mexico = "MX";
    public const string Colombia = "CO";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Mexico, Colombia };
}

/// <summary>The registry's vocabulary: every feed maps its columns onto these names.</summary>
public static class CanonicalFields
{
    public const string AgencyPersonId = "agency_person_id";
    public const string Curp = "curp";
    public const string GivenNames = "given_names";
    public const string PaternalSurname = "paternal_surname";
    public const string MaternalSurname = "maternal_surname";
    /// <summary>One column holding the whole name; split into the parts above on reading (see <see cref="FeedDefinition.FullNameOrder"/>).</summary>
    public const string FullName = "full_name";
    public const string Sex = "sex";
    public const string BirthDate = "birth_date";
    /// <summary>Another personal identifier (NSS, cédula, a benchmark's soc_sec_id): compared by matching, never a key by itself.</summary>
    public const string OtherId = "other_id";
    /// <summary>A typed identity document's type (CC, TI, RC, CE, PA, PPT, CURP — or the agency's codes, through <c>values</c>); with <see cref="DocumentNumber"/>.</summary>
    public const string DocumentType = "document_type";
    /// <summary>The document's number: validated for its type and carried as the typed other identifier (<c>CC:1036612345</c>), or as the CURP.</summary>
    public const string DocumentNumber = "document_number";
    public const string Phone = "phone";
    public const string Street = "street";
    public const string HouseNumber = "house_number";
    public const string Colonia = "colonia";
    public const string PostalCode = "postal_code";
    public const string Municipality = "municipality";
    public const string Poligono = "poligono";
    /// <summary>Colombia: the urban comuna (Medellín's 16), in the territory slot Mexico fills with the polígono.</summary>
    public const string Comuna = "comuna";
    /// <summary>Colombia: the rural corregimiento (Medellín's 5), in the same slot as the comuna.</summary>
    public const string Corregimiento = "corregimiento";
    /// <summary>Colombia: the barrio (urban) or vereda, in the slot Mexico fills with the colonia.</summary>
    public const string Barrio = "barrio";
    public const string AgencyHouseholdId = "agency_household_id";
    public const string RelationshipToHead = "relationship_to_head";
    public const string Programme = "programme";
    public const string ServiceType = "service_type";
    public const string ServiceDate = "service_date";
    public const string ServiceStatus = "service_status";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        AgencyPersonId, Curp, GivenNames, PaternalSurname, MaternalSurname, FullName, Sex, BirthDate, OtherId, DocumentType, DocumentNumber,
        Phone, Street, HouseNumber, Colonia, Barrio, PostalCode, Municipality, Poligono, Comuna, Corregimiento, AgencyHouseholdId, RelationshipToHead,
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

    /// <summary>
    /// Sectors whose sources a reader sees only with a grant (hard rule 4): the API's need-to-know rule
    /// (<c>RegistryUser.SeesSource</c>) and the golden record written for readers without a grant
    /// (<see cref="Persons.RestrictedGolden"/>) both read this one set.
    /// </summary>
    public static readonly IReadOnlySet<string> Sensitive = new HashSet<string>(StringComparer.Ordinal) { "health", "security" };
}
