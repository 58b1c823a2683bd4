using System.Text;
using System.Text.Json;

namespace Registry.Feeds;

/// <summary>
/// The feed definitions in force, loaded once at start-up from a folder of JSON files.
/// A definition with a mistake stops the host with a message naming the file, the field and
/// the problem — a feed that silently mis-maps a column would corrupt the registry.
/// </summary>
public sealed class FeedCatalog
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly Dictionary<string, FeedDefinition> _byCode;

    public FeedCatalog(IEnumerable<FeedDefinition> feeds) =>
        _byCode = feeds.ToDictionary(f => f.Code, StringComparer.Ordinal);

    public IReadOnlyCollection<FeedDefinition> All => _byCode.Values;

    public FeedDefinition? Find(string code) => _byCode.GetValueOrDefault(code);

    public static FeedCatalog LoadFolder(string folder)
    {
        if (!Directory.Exists(folder))
            throw new FeedDefinitionException($"Feed definitions folder '{Path.GetFullPath(folder)}' does not exist (setting Feeds:DefinitionsPath).");
        var feeds = new List<FeedDefinition>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var feed = LoadFile(file);
            var clash = feeds.Find(f => f.Code == feed.Code);
            if (clash is not null)
                throw new FeedDefinitionException($"{file}: code '{feed.Code}' is already defined in {clash.SourceFile}.");
            feeds.Add(feed);
        }
        if (feeds.Count == 0)
            throw new FeedDefinitionException($"No feed definitions (*.json) in '{Path.GetFullPath(folder)}'.");
        return new FeedCatalog(feeds);
    }

    public static FeedDefinition LoadFile(string file) => LoadJson(File.ReadAllText(file), file);

    /// <summary>
    /// A definition from its JSON text; <paramref name="origin"/> names it in errors (a file, or the extract whose
    /// parse recorded it). The text is kept on the definition, so the definition an extract was parsed with can be
    /// recorded and used again.
    /// </summary>
    public static FeedDefinition LoadJson(string json, string origin)
    {
        FeedFile? raw;
        try
        {
            raw = JsonSerializer.Deserialize<FeedFile>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new FeedDefinitionException($"{origin}: not valid JSON at {ex.Path} (line {ex.LineNumber + 1}): {ex.Message}", ex);
        }
        if (raw is null) throw new FeedDefinitionException($"{origin}: empty definition.");
        return Validate(raw, origin) with { Json = json };
    }

    private static FeedDefinition Validate(FeedFile raw, string file)
    {
        void Fail(string field, string problem) => throw new FeedDefinitionException($"{file}: field '{field}': {problem}");

        if (string.IsNullOrWhiteSpace(raw.Code)) Fail("code", "is required");
        if (raw.Agency is null || string.IsNullOrWhiteSpace(raw.Agency.Code)) Fail("agency.code", "is required");
        if (string.IsNullOrWhiteSpace(raw.Agency!.Name)) Fail("agency.name", "is required");
        if (raw.Sector is null || !Sectors.All.Contains(raw.Sector))
            Fail("sector", $"'{raw.Sector}' is not one of {string.Join(", ", Sectors.All)}");
        if (raw.Kind is not (FeedKinds.CsvDrop or FeedKinds.ApiPull)) Fail("kind", $"'{raw.Kind}' is not csv-drop or api-pull");
        var api = ValidateApi(raw, Fail);

        var csv = raw.Csv ?? new CsvDialect();
        if (csv.Delimiter is not ("," or ";" or "|" or "\t"))
            Fail("csv.delimiter", $"'{csv.Delimiter}' is not one of , ; | or a tab");
        try
        {
            _ = TextEncodings.Resolve(csv.Encoding);
        }
        catch (ArgumentException ex)
        {
            Fail("csv.encoding", ex.Message);
        }
        if (csv.DateFormats.Count == 0) Fail("csv.dateFormats", "must list at least one format");

        if (raw.Fields is null || raw.Fields.Count == 0) Fail("fields", "must map at least one column");
        var fields = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in raw.Fields!)
        {
            if (!CanonicalFields.All.Contains(name))
                Fail($"fields.{name}", $"unknown canonical field; known: {string.Join(", ", CanonicalFields.All.Order(StringComparer.Ordinal))}");
            var headers = value.ValueKind switch
            {
                JsonValueKind.String => [value.GetString()!],
                JsonValueKind.Array => value.EnumerateArray().Select(e => e.GetString() ?? "").ToList(),
                _ => null,
            };
            if (headers is null || headers.Count == 0 || headers.Any(string.IsNullOrWhiteSpace))
                Fail($"fields.{name}", "must be a column name or a list of column names");
            fields[name] = headers!;
        }
        ValidateNameFields(fields, raw.FullNameOrder, Fail);
        if (fields.ContainsKey(CanonicalFields.DocumentNumber) != fields.ContainsKey(CanonicalFields.DocumentType))
            Fail(fields.ContainsKey(CanonicalFields.DocumentNumber) ? "fields.document_number" : "fields.document_type",
                "a typed document needs both 'document_type' and 'document_number' mapped (the same digits are another person in another type)");
        // One territory slot each: Mexico's polígono or Colombia's comuna / corregimiento; colonia or barrio.
        if (fields.ContainsKey(CanonicalFields.Poligono) && (fields.ContainsKey(CanonicalFields.Comuna) || fields.ContainsKey(CanonicalFields.Corregimiento)))
            Fail("fields.poligono", "a feed maps either 'poligono' (Mexico) or 'comuna' / 'corregimiento' (Colombia), not both");
        if (fields.ContainsKey(CanonicalFields.Colonia) && fields.ContainsKey(CanonicalFields.Barrio))
            Fail("fields.colonia", "a feed maps either 'colonia' (Mexico) or 'barrio' (Colombia), not both");
        foreach (var req in raw.Required ?? [])
        {
            if (!fields.ContainsKey(req)) Fail("required", $"'{req}' is required but not mapped in 'fields'");
        }
        var recordKey = raw.RecordKey ?? [.. CanonicalFields.DefaultRecordKey.Where(fields.ContainsKey)];
        if (recordKey.Count == 0) Fail("recordKey", "no field identifies a record: list the canonical fields that do (e.g. agency_person_id, service_date)");
        foreach (var key in recordKey)
        {
            if (!fields.ContainsKey(key)) Fail("recordKey", $"'{key}' is not mapped in 'fields'");
        }
        if (raw.ResidenceAuthoritative == true && !fields.ContainsKey(CanonicalFields.Municipality))
            Fail("residenceAuthoritative", "a feed trusted for residence must map 'municipality' in 'fields' (the municipality it attests)");
        // Where a household lives decides who may see it and is shown on its pages: a clinic's or a protection programme's
        // address (a victim's shelter) must never decide it, nor be shown to readers without that sector's grant.
        if (raw.ResidenceAuthoritative == true && Sectors.Sensitive.Contains(raw.Sector!))
            Fail("residenceAuthoritative", $"a feed of the sensitive sector '{raw.Sector}' is never trusted for residence (its address must not decide or reveal where a family lives)");
        foreach (var (name, _) in raw.Values ?? [])
        {
            if (!fields.ContainsKey(name)) Fail($"values.{name}", "has a code list but the field is not mapped in 'fields'");
        }
        if (raw.Country is not null && !Countries.All.Contains(raw.Country))
            Fail("country", $"'{raw.Country}' is not one of {string.Join(", ", Countries.All)}");
        var quality = raw.Quality ?? new FieldQualitySettings();
        var thisYear = DateTime.UtcNow.Year;
        if (quality.EarliestBirthYear < FieldQualitySettings.FirstReadableYear || quality.EarliestBirthYear > thisYear)
            Fail("quality.earliestBirthYear", $"{quality.EarliestBirthYear} is not between {FieldQualitySettings.FirstReadableYear} (no earlier date is read) and {thisYear}");

        return new FeedDefinition
        {
            Code = raw.Code!,
            Version = raw.Version ?? 1,
            Agency = raw.Agency,
            Sector = raw.Sector!,
            Country = raw.Country ?? Countries.Mexico,
            Kind = raw.Kind!,
            Csv = csv,
            Api = api,
            Fields = fields,
            Required = raw.Required ?? [],
            RecordKey = recordKey,
            FullNameOrder = raw.FullNameOrder ?? FullNameOrders.GivenFirst,
            ResidenceAuthoritative = raw.ResidenceAuthoritative ?? false,
            Quality = quality,
            Values = (raw.Values ?? []).ToDictionary(
                kv => kv.Key,
                kv => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(kv.Value, StringComparer.OrdinalIgnoreCase),
                StringComparer.Ordinal),
            SourceFile = file,
        };
    }

    /// <summary>
    /// A person's name comes either in separate columns (given names + paternal surname, maternal
    /// optional) or in one full-name column — never both: which one would win is a guess.
    /// </summary>
    private static void ValidateNameFields(Dictionary<string, IReadOnlyList<string>> fields, string? order, Action<string, string> fail)
    {
        string[] parts = [CanonicalFields.GivenNames, CanonicalFields.PaternalSurname, CanonicalFields.MaternalSurname];
        var mappedParts = parts.Where(fields.ContainsKey).ToList();
        if (fields.ContainsKey(CanonicalFields.FullName))
        {
            if (mappedParts.Count > 0)
                fail($"fields.{CanonicalFields.FullName}", $"a feed maps the name either as one full_name column or as separate given_names/paternal_surname/maternal_surname columns, not both (this one also maps {string.Join(", ", mappedParts)})");
        }
        else if (!fields.ContainsKey(CanonicalFields.GivenNames) || !fields.ContainsKey(CanonicalFields.PaternalSurname))
        {
            var missing = string.Join(" and ", new[] { CanonicalFields.GivenNames, CanonicalFields.PaternalSurname }.Where(f => !fields.ContainsKey(f)));
            fail("fields", $"must map the person's name: given_names and paternal_surname (maternal_surname optional), or one full_name column; {missing} not mapped");
        }
        if (order is not null and not (FullNameOrders.GivenFirst or FullNameOrders.SurnamesFirst))
            fail("fullNameOrder", $"'{order}' is not {FullNameOrders.GivenFirst} or {FullNameOrders.SurnamesFirst}");
        if (order is not null && !fields.ContainsKey(CanonicalFields.FullName))
            fail("fullNameOrder", "only applies to a feed that maps full_name");
    }

    private static ApiPullSettings? ValidateApi(FeedFile raw, Action<string, string> fail)
    {
        if (raw.Kind != FeedKinds.ApiPull)
        {
            if (raw.Api is not null) fail("api", "only api-pull feeds have an 'api' section (kind is csv-drop)");
            return null;
        }
        if (raw.Api is not { } api)
        {
            fail("api", "an api-pull feed needs an 'api' section (baseUrlSetting, path, paging, ...)");
            return null;
        }
        if (string.IsNullOrWhiteSpace(api.BaseUrlSetting))
            fail("api.baseUrlSetting", "is required: the name of the configuration setting holding the API's base URL (e.g. AgencyApis:SNE:BaseUrl)");
        else if (api.BaseUrlSetting.Contains("://", StringComparison.Ordinal))
            fail("api.baseUrlSetting", "names a configuration setting, not the URL itself; put the URL in that setting");
        if (string.IsNullOrWhiteSpace(api.Path) || !api.Path.StartsWith('/'))
            fail("api.path", $"'{api.Path}' must be a path starting with '/'");
        if (api.Paging is not (ApiPaging.PageToken or ApiPaging.UpdatedSince))
            fail("api.paging", $"'{api.Paging}' is not {ApiPaging.PageToken} or {ApiPaging.UpdatedSince}");
        if (api.PageSize is < 1 or > 10_000) fail("api.pageSize", $"{api.PageSize} is not between 1 and 10000");
        if (!Cron.IsValid(api.Schedule)) fail("api.schedule", $"'{api.Schedule}' is not a cron expression of 5 fields (minute hour day month weekday)");
        if (api.Auth is { } auth)
        {
            if (string.IsNullOrWhiteSpace(auth.Header)) fail("api.auth.header", "is required (e.g. X-Api-Key)");
            if (string.IsNullOrWhiteSpace(auth.SecretSetting))
                fail("api.auth.secretSetting", "is required: the name of the configuration setting holding the credential (never the credential itself)");
        }
        foreach (var (name, value) in new[]
                 {
                     ("api.itemsProperty", api.ItemsProperty), ("api.nextPageTokenProperty", api.NextPageTokenProperty),
                     ("api.updatedAtProperty", api.UpdatedAtProperty), ("api.pageSizeParameter", api.PageSizeParameter),
                     ("api.pageTokenParameter", api.PageTokenParameter), ("api.updatedSinceParameter", api.UpdatedSinceParameter),
                 })
        {
            if (string.IsNullOrWhiteSpace(value)) fail(name, "must not be empty");
        }
        if (api.DateFormats is not { Count: > 0 }) fail("api.dateFormats", "must list at least one format");
        return api;
    }

    /// <summary>Minimal structural check of a 5-field cron expression (Hangfire parses it for real when scheduling).</summary>
    private static class Cron
    {
        private static readonly System.Text.RegularExpressions.Regex Field = new(@"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$|^[A-Za-z]{3}(-[A-Za-z]{3})?$");

        public static bool IsValid(string? expression) =>
            expression?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: 5 } fields && fields.All(Field.IsMatch);
    }

    private sealed record FeedFile(
        string? Code,
        int? Version,
        AgencyInfo? Agency,
        string? Sector,
        string? Country,
        string? Kind,
        CsvDialect? Csv,
        ApiPullSettings? Api,
        Dictionary<string, JsonElement>? Fields,
        List<string>? Required,
        List<string>? RecordKey,
        Dictionary<string, Dictionary<string, string>>? Values,
        string? FullNameOrder,
        bool? ResidenceAuthoritative,
        FieldQualitySettings? Quality);
}

public sealed class FeedDefinitionException : Exception
{
    public FeedDefinitionException(string message) : base(message) { }
    public FeedDefinitionException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Encodings agencies actually send, strict so undecodable bytes are an error, not mojibake.</summary>
public static class TextEncodings
{
    public static Encoding Resolve(string name)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return name.ToUpperInvariant() switch
        {
            "UTF-8" or "UTF8" or "UTF-8-BOM" => new UTF8Encoding(false, throwOnInvalidBytes: true),
            "WINDOWS-1252" or "CP1252" => Encoding.GetEncoding(1252, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback),
            "ISO-8859-1" or "LATIN1" => Encoding.GetEncoding("iso-8859-1", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback),
            _ => throw new ArgumentException($"'{name}' is not one of utf-8, utf-8-bom, windows-1252, iso-8859-1"),
        };
    }
}
