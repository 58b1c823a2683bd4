using System.Globalization;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Api.Access;
using Registry.Api.Search;
using Registry.Feeds;

namespace Registry.Api.Dci;

/// <summary>Which DCI registry a request speaks to: the Social Registry (persons as Member records) or the IBR (persons as Beneficiary records).</summary>
public enum DciRegistryKind { Social, Beneficiaries }

/// <summary>What one search request of a batch found: its response item and the persons it returned (for the access log).</summary>
public sealed record DciSearchOutcome(JsonObject Item, IReadOnlyList<Guid> Returned, bool Succeeded);

/// <summary>
/// The registry as a DCI Social Registry reads it, for one reader: <c>idtype-value</c>, <c>expression</c> and
/// <c>predicate</c> queries become the registry's own search (<see cref="RegistrySearch"/>: territory, sensitive sources,
/// statement timeout) or an identifier lookup through the same rules, and the persons found become <c>Member</c> records
/// from the golden record the reader may see (<see cref="SensitiveSources"/>). No second access layer: whatever the
/// registry's API would not show this reader, a DCI answer does not show either.
/// </summary>
public sealed class DciRegistryReader(RegistrySearch search, TerritoryScope territory, NpgsqlDataSource db, FeedCatalog feeds, IOptions<DciOptions> options)
{
    /// <summary>Identifier types of <c>idtype-value</c> queries (an agency's code is one too: that agency's person id).</summary>
    public static class IdTypes
    {
        public const string Uin = "UIN";
        public const string Curp = "CURP";
        public const string Nin = "NIN";
        public const string PersonId = "PERSON_ID";
        public const string HouseholdId = "HOUSEHOLD_ID";
    }

    /// <summary>Attributes of <c>predicate</c> and <c>expression</c> queries (equality, combined with and).</summary>
    public static readonly IReadOnlyDictionary<string, string> Attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["name"] = "name", ["given_name"] = "name", ["surname"] = "name", ["curp"] = "curp",
        ["municipality"] = "municipality", ["district"] = "municipality", ["city"] = "municipality", ["location"] = "municipality",
        ["poligono"] = "poligono", ["address"] = "address", ["street_address"] = "address",
    };

    /// <summary>At most this many persons of one query are ranked (the registry search's own cap), so total_count is at most this.</summary>
    public const int MaxRanked = 500;

    public async Task<DciSearchOutcome> SearchAsync(JsonObject request, RegistryUser user, CancellationToken ct, DciRegistryKind kind = DciRegistryKind.Social)
    {
        var referenceId = DciEnvelope.Text(request, "reference_id");
        if (string.IsNullOrWhiteSpace(referenceId) || referenceId.Length > DciEnvelope.MaxIdLength)
            return Reject(referenceId ?? "", "rjct.reference_id.invalid", "reference_id is required (at most 99 characters).");
        if (DciEnvelope.Text(request, "timestamp") is not { } ts || !DateTimeOffset.TryParse(ts, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            return Reject(referenceId, "rjct.timestamp.invalid", "timestamp is required, an ISO 8601 date-time.");
        if (request["search_criteria"] is not JsonObject criteria)
            return Reject(referenceId, "rjct.search_criteria.invalid", "search_criteria is required.");
        var (pageSize, pageNumber, pageProblem) = Pagination(criteria["pagination"] as JsonObject);
        if (pageProblem is not null) return Reject(referenceId, "rjct.pagination.invalid", pageProblem);
        if (criteria["sort"] is JsonArray { Count: > 0 })
            return Reject(referenceId, "rjct.sort.invalid", "Results come ranked by how well they match; sort is not supported.");
        var queryType = DciEnvelope.Text(criteria, "query_type");
        var query = criteria["query"];
        if (query is null) return Reject(referenceId, "rjct.search_criteria.invalid", "search_criteria.query is required.");

        try
        {
            IReadOnlyList<Guid> found;
            switch (queryType)
            {
                case "idtype-value":
                    if (query is not JsonObject idq || DciEnvelope.Text(idq, "type") is not { Length: > 0 } type || ValueText(idq["value"]) is not { Length: > 0 } value)
                        return Reject(referenceId, "rjct.search_criteria.invalid", "An idtype-value query is {\"type\": \"UIN|CURP|NIN|PERSON_ID|HOUSEHOLD_ID|<agency code>\", \"value\": \"…\"}.");
                    var (ids, problem) = await ByIdentifierAsync(type, value, user, ct);
                    if (problem is not null) return Reject(referenceId, "rjct.search_criteria.invalid", problem);
                    found = ids;
                    break;
                case "predicate" or "expression":
                    var (conditions, why) = queryType == "predicate" ? Predicate(query) : Expression(query);
                    if (why is not null) return Reject(referenceId, "rjct.search_criteria.invalid", why);
                    var c = Criteria(conditions!);
                    if ((c with { PageSize = SearchCriteria.MaxPageSize }).Problem() is { } bad) return Reject(referenceId, "rjct.search_criteria.invalid", bad);
                    found = [.. (await search.PersonsAsync(c, user, ct)).Items.Select(h => h.Id)];
                    break;
                default:
                    return Reject(referenceId, "rjct.search_criteria.invalid", "query_type is one of idtype-value, expression, predicate.");
            }
            var page = found.Skip((pageNumber - 1) * pageSize).Take(pageSize).ToList();
            var records = kind == DciRegistryKind.Beneficiaries ? await BeneficiariesAsync(page, user, ct) : await RecordsAsync(page, user, ct);
            var item = new JsonObject
            {
                ["reference_id"] = referenceId,
                ["timestamp"] = Dci.Now(),
                ["status"] = "succ",
                ["data"] = new JsonObject
                {
                    ["version"] = Dci.Version,
                    ["reg_type"] = kind == DciRegistryKind.Beneficiaries ? Dci.IbrRegType : Dci.RegType,
                    ["reg_record_type"] = kind == DciRegistryKind.Beneficiaries ? Dci.IbrRecordType : Dci.RecordType,
                    ["reg_records"] = new JsonArray([.. records.Select(r => (JsonNode)r)]),
                },
                ["pagination"] = new JsonObject { ["page_size"] = pageSize, ["page_number"] = pageNumber, ["total_count"] = found.Count },
            };
            if (found.Count >= MaxRanked)
                item["status_reason_message"] = $"More than {MaxRanked} persons match: the best {MaxRanked} are paged; narrow the query.";
            return new DciSearchOutcome(item, [.. records.Select(r => Guid.Parse(r["@id"]!.GetValue<string>()))], true);
        }
        catch (Exception ex) when (SearchLimits.IsStatementTimeout(ex))
        {
            return Reject(referenceId, "rjct.search.too_many_records_found", "The search took too long: add a surname or a municipality.");
        }
    }

    /// <summary>The persons an identifier names, as this reader may find them (territory, sensitive agencies' ids).</summary>
    public async Task<(IReadOnlyList<Guid> Ids, string? Problem)> ByIdentifierAsync(string type, string value, RegistryUser user, CancellationToken ct)
    {
        value = value.Trim();
        if (value.Length > SearchCriteria.MaxTextLength) return ([], $"value is at most {SearchCriteria.MaxTextLength} characters.");
        switch (type.ToUpperInvariant())
        {
            case IdTypes.Curp or IdTypes.Nin:
                return (await PersonsAsync(new SearchCriteria(Curp: value, PageSize: MaxRanked), user, ct), null);
            case IdTypes.Uin:
                if (options.Value.UinAgency is not { Length: > 0 } uinAgency) return ([], null);
                return (await PersonsAsync(new SearchCriteria(AgencyPersonId: value, Agency: uinAgency, PageSize: MaxRanked), user, ct), null);
            case IdTypes.PersonId:
                if (!Guid.TryParse(value, out var personId)) return ([], null);
                return (await VisiblePersonsAsync([personId], user, ct), null);
            case IdTypes.HouseholdId:
                if (!Guid.TryParse(value, out var householdId) || !await territory.HouseholdVisibleAsync(user, householdId, ct)) return ([], null);
                await using (var connection = await db.OpenConnectionAsync(ct))
                {
                    var members = (await connection.QueryAsync<Guid>(new CommandDefinition(
                        "SELECT person_id FROM household_members WHERE household_id = @householdId AND valid_to IS NULL ORDER BY person_id",
                        new { householdId }, cancellationToken: ct))).AsList();
                    return (await VisiblePersonsAsync(members, user, ct), null);
                }
            default:
                var agency = feeds.All.Select(f => f.Agency.Code).FirstOrDefault(a => string.Equals(a, type, StringComparison.OrdinalIgnoreCase));
                if (agency is null)
                    return ([], $"Unknown identifier type '{type}': use UIN, CURP, NIN, PERSON_ID, HOUSEHOLD_ID or an agency code ({string.Join(", ", feeds.All.Select(f => f.Agency.Code).Distinct().Order())}).");
                return (await PersonsAsync(new SearchCriteria(AgencyPersonId: value, Agency: agency, PageSize: MaxRanked), user, ct), null);
        }
    }

    private async Task<IReadOnlyList<Guid>> PersonsAsync(SearchCriteria criteria, RegistryUser user, CancellationToken ct) =>
        [.. (await search.PersonsAsync(criteria, user, ct)).Items.Select(h => h.Id)];

    /// <summary>Of these persons, those the reader may see: in their territory, and known through a source they may see.</summary>
    private async Task<IReadOnlyList<Guid>> VisiblePersonsAsync(IReadOnlyList<Guid> ids, RegistryUser user, CancellationToken ct)
    {
        var shown = new List<Guid>();
        await using var connection = await db.OpenConnectionAsync(ct);
        var existing = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM persons WHERE id = ANY (@ids) AND merged_into IS NULL", new { ids = ids.ToArray() }, cancellationToken: ct))).ToHashSet();
        foreach (var id in ids.Where(existing.Contains))
            if (await territory.PersonVisibleAsync(user, id, ct)) shown.Add(id);
        if (shown.Count == 0) return shown;
        var golden = await SensitiveSources.GoldenAsync(connection, shown, user, ct);
        return [.. shown.Where(id => golden.TryGetValue(id, out var g) && g.HasVisibleSource)];
    }

    /// <summary>
    /// The persons as <c>Member</c> records (the spec's Social Registry example): identifiers the reader may see (registry
    /// person id, CURP, UIN, ids of agencies whose sources they may see), the golden name, sex, birth date and address
    /// from sources they may see, and their current households.
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> RecordsAsync(IReadOnlyList<Guid> ids, RegistryUser user, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        await using var connection = await db.OpenConnectionAsync(ct);
        var golden = await SensitiveSources.GoldenAsync(connection, [.. ids], user, ct);
        var keys = (await connection.QueryAsync<(Guid PersonId, string Key)>(new CommandDefinition(
            "SELECT person_id, key FROM person_keys WHERE person_id = ANY (@ids) ORDER BY key", new { ids = ids.ToArray() }, cancellationToken: ct)))
            .ToLookup(k => k.PersonId, k => k.Key);
        var households = (await connection.QueryAsync<(Guid PersonId, Guid HouseholdId)>(new CommandDefinition(
            "SELECT person_id, household_id FROM household_members WHERE person_id = ANY (@ids) AND valid_to IS NULL ORDER BY household_id",
            new { ids = ids.ToArray() }, cancellationToken: ct))).ToLookup(h => h.PersonId, h => h.HouseholdId);
        var hiddenAgencies = feeds.All.Where(f => !user.SeesSource(f.Sector, f.Agency.Code)).Select(f => f.Agency.Code).ToHashSet(StringComparer.Ordinal);
        var records = new List<JsonObject>();
        foreach (var id in ids)
        {
            if (!golden.TryGetValue(id, out var g) || !g.HasVisibleSource) continue;
            var identifiers = new JsonArray { Identifier(IdTypes.PersonId, id.ToString()) };
            foreach (var key in keys[id])
            {
                var parts = key.Split(':', 3);
                if (parts is ["curp", var curp] && curp == g.Curp) identifiers.Add(Identifier(IdTypes.Curp, curp));
                else if (parts is ["agency", var agency, var agencyId] && !hiddenAgencies.Contains(agency))
                    identifiers.Add(Identifier(agency == options.Value.UinAgency ? IdTypes.Uin : agency, agencyId));
            }
            var name = new JsonObject { ["@type"] = "Name" };
            if (g.GivenNames is { } given) name["given_name"] = given;
            if (g.PaternalSurname is { } paternal) name["surname"] = paternal;
            if (g.MaternalSurname is { } maternal) name["second_surname"] = maternal;
            var person = new JsonObject { ["@type"] = "SRPerson", ["identifier"] = identifiers.DeepClone(), ["name"] = name };
            if (g.Sex is { } sex) person["sex"] = sex switch { "H" => "male", "M" => "female", _ => sex };
            if (g.BirthDate is { } birth) person["birth_date"] = birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var address = new JsonObject { ["@type"] = "Address" };
            var street = string.Join(' ', new[] { g.Value("street"), g.Value("house_number") }.Where(s => !string.IsNullOrWhiteSpace(s)));
            if (street.Length > 0) address["street_address"] = street;
            if (g.Value("colonia") is { } colonia) address["locality"] = colonia;
            if (g.Value("municipality") is { } municipality) address["city"] = municipality;
            if (g.Value("postal_code") is { } postal) address["postal_code"] = postal;
            address["country"] = "MX";
            person["address"] = address;
            if (g.Value("phone") is { } phone) person["phone_number"] = phone;
            var member = new JsonObject
            {
                ["@type"] = "Member",
                ["@id"] = id.ToString(),
                ["member_identifier"] = identifiers,
                ["demographic_info"] = person,
            };
            var groups = households[id].ToList();
            if (groups.Count > 0)
                member["additional_attributes"] = new JsonArray([.. groups.Select(h => (JsonNode)new JsonObject { ["name"] = "household_id", ["value"] = h.ToString() })]);
            records.Add(member);
        }
        return records;
    }

    /// <summary>One service event as a beneficiary view reads it: its sector and date always, the rest only when the reader may see its source.</summary>
    private sealed record ServiceRow
    {
        public Guid PersonId { get; init; }
        public string Sector { get; init; } = "";
        public string? AgencyCode { get; init; }
        public string? Programme { get; init; }
        public string? ServiceType { get; init; }
        public DateOnly? ServiceDate { get; init; }
        public string? Status { get; init; }
        public bool Visible { get; init; }
    }

    /// <summary>
    /// IBR v1.0.0 <c>Beneficiary</c> records: the <c>Member</c> record plus, in <c>member.programme_identifier</c>, one entry per
    /// programme the person was served in (agency and programme as the feed named them; enrolment date = first service,
    /// status Active when served in the last 12 months, else Inactive; benefits = the services: type, date, status). A
    /// service of a sector whose sources the reader may not see is one entry per sector with only its dates — "a service of
    /// sector X on date D", no agency, programme or type. Amounts and frequencies are not kept by the registry (data
    /// minimisation), so <c>benefit_value</c> and <c>benefit_frequency</c> are absent.
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> BeneficiariesAsync(IReadOnlyList<Guid> ids, RegistryUser user, CancellationToken ct)
    {
        var members = await RecordsAsync(ids, user, ct);
        if (members.Count == 0) return members;
        await using var connection = await db.OpenConnectionAsync(ct);
        var services = (await connection.QueryAsync<ServiceRow>(new CommandDefinition(
            $"""
            SELECT se.person_id, se.sector, se.agency_code, se.programme, se.service_type, se.service_date, se.status,
                   {SensitiveSources.VisibleSql("se.sector", "se.agency_code")} AS visible
              FROM service_events se
             WHERE se.person_id = ANY (@ids) AND se.superseded_by IS NULL
             ORDER BY se.service_date NULLS LAST, se.id
            """,
            new { ids = members.Select(m => Guid.Parse(m["@id"]!.GetValue<string>())).ToArray(), hiddenSectors = user.HiddenSectors, ownAgency = user.OwnAgency },
            cancellationToken: ct))).ToLookup(s => s.PersonId);
        var activeSince = DateOnly.FromDateTime(DateTime.UtcNow).AddMonths(-12);
        var beneficiaries = new List<JsonObject>();
        foreach (var member in members)
        {
            var id = Guid.Parse(member["@id"]!.GetValue<string>());
            var enrolments = new JsonArray();
            foreach (var programme in services[id].GroupBy(s => s.Visible ? $"{s.AgencyCode}:{s.Programme}" : "sector:" + s.Sector, StringComparer.Ordinal))
            {
                var first = programme.First();
                var dates = programme.Select(s => s.ServiceDate).OfType<DateOnly>().ToList();
                var entry = new JsonObject
                {
                    ["programme"] = first.Visible
                        ? new JsonObject
                        {
                            ["programme_identifier"] = programme.Key, ["programme_name"] = first.Programme, ["agency"] = first.AgencyCode, ["sector"] = first.Sector,
                        }
                        : new JsonObject { ["programme_identifier"] = programme.Key, ["sector"] = first.Sector, ["detail_withheld"] = true },
                    ["enrolment_status"] = dates.Count > 0 && dates.Max() >= activeSince ? "Active" : "Inactive",
                    ["benefits"] = new JsonArray([.. programme.Select(s =>
                    {
                        var benefit = new JsonObject();
                        if (s.Visible && s.ServiceType is { } type) benefit["benefit_type"] = type;
                        if (s.ServiceDate is { } date) benefit["benefit_date"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                        if (s.Visible && s.Status is { } status) benefit["benefit_status"] = status;
                        return (JsonNode)benefit;
                    })]),
                };
                if (dates.Count > 0)
                {
                    entry["enrolment_date"] = dates.Min().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                    entry["status_change_date"] = dates.Max().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                }
                enrolments.Add(entry);
            }
            var inner = member.DeepClone().AsObject();
            inner.Remove("@id");
            inner["programme_identifier"] = enrolments;
            beneficiaries.Add(new JsonObject { ["@type"] = Dci.IbrRecordType, ["@id"] = id.ToString(), ["member"] = inner });
        }
        return beneficiaries;
    }

    private static JsonObject Identifier(string type, string value) =>
        new() { ["@type"] = "Identifier", ["identifier_type"] = type, ["identifier_value"] = value };

    private static (int Size, int Number, string? Problem) Pagination(JsonObject? p)
    {
        if (p is null) return (20, 1, null);
        if (p["page_size"] is not JsonValue sizeNode || !sizeNode.TryGetValue<double>(out var size) || size < 1 || size > SearchCriteria.MaxPageSize || size % 1 != 0)
            return (0, 0, $"pagination.page_size is an integer from 1 to {SearchCriteria.MaxPageSize}.");
        var number = 1d;
        if (p["page_number"] is JsonValue numberNode && (!numberNode.TryGetValue(out number) || number < 1 || number > 10_000 || number % 1 != 0))
            return (0, 0, "pagination.page_number is an integer from 1 (the first page) to 10000.");
        return ((int)size, (int)number, null);
    }

    private static string? ValueText(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<double>(out var d) => d.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary><c>predicate</c>: a list of {expression1, condition, expression2}; equality only, joined by and.</summary>
    private static (List<(string Attribute, string Value)>? Conditions, string? Problem) Predicate(JsonNode query)
    {
        if (query is not JsonArray items || items.Count == 0) return (null, "A predicate query is a non-empty list of {seq_num, expression1, condition, expression2}.");
        var conditions = new List<(string, string)>();
        foreach (var item in items.OfType<JsonObject>().OrderBy(i => i["seq_num"] is JsonValue s && s.TryGetValue<double>(out var n) ? n : 0))
        {
            var condition = DciEnvelope.Text(item, "condition");
            if (item["expression2"] is JsonObject && condition is not "and")
                return (null, $"Condition '{condition}' is not supported: expressions are combined with and.");
            foreach (var expression in new[] { item["expression1"], item["expression2"] }.OfType<JsonObject>())
            {
                var attribute = DciEnvelope.Text(expression, "attribute_name") ?? "";
                var op = DciEnvelope.Text(expression, "operator");
                if (!Attributes.ContainsKey(attribute)) return (null, Unsupported(attribute));
                if (op != "eq") return (null, $"Operator '{op}' is not supported for {attribute}: only eq.");
                if (ValueText(expression["attribute_value"]) is not { Length: > 0 } value) return (null, $"{attribute} has no value.");
                conditions.Add((attribute, value));
            }
        }
        return conditions.Count == 0 ? (null, "The predicate holds no expression.") : (conditions, null);
    }

    /// <summary><c>expression</c>: {type, value: {expression: {collection, query: {$and: [{attr: {$eq: v}}, …]} | {attr: v}}}}.</summary>
    private static (List<(string Attribute, string Value)>? Conditions, string? Problem) Expression(JsonNode query)
    {
        var expression = (query as JsonObject)?["value"]?["expression"] as JsonObject;
        var body = expression?["query"] as JsonObject;
        if (body is null) return (null, "An expression query is {\"type\": \"…\", \"value\": {\"expression\": {\"collection\": \"Member\", \"query\": {\"$and\": [{\"municipality\": {\"$eq\": \"REYNOSA\"}}]}}}}.");
        var terms = body["$and"] is JsonArray and ? and.OfType<JsonObject>().ToList() : [body];
        var conditions = new List<(string, string)>();
        foreach (var term in terms)
            foreach (var (attribute, node) in term)
            {
                if (!Attributes.ContainsKey(attribute)) return (null, Unsupported(attribute));
                var value = node is JsonObject op
                    ? op.Count == 1 && op["$eq"] is { } eq ? ValueText(eq) : null
                    : ValueText(node);
                if (value is null) return (null, $"Only equality ($eq) is supported for {attribute}.");
                conditions.Add((attribute, value));
            }
        return conditions.Count == 0 ? (null, "The expression holds no condition.") : (conditions, null);
    }

    private static string Unsupported(string attribute) =>
        $"'{attribute}' is not an attribute this registry can search: it keeps identities, households, territory and service metadata, " +
        $"not means tests or scores. Searchable: {string.Join(", ", Attributes.Keys.Order(StringComparer.Ordinal))} (eq, joined by and).";

    /// <summary>The conditions as the registry's search criteria: name parts (given_name, surname) joined into one name, else the first value given.</summary>
    private static SearchCriteria Criteria(List<(string Attribute, string Value)> conditions)
    {
        List<string> Values(string field) => [.. conditions.Where(c => Attributes[c.Attribute] == field).Select(c => c.Value)];
        string? First(string field) => Values(field).FirstOrDefault();
        var name = Values("name");
        return new SearchCriteria(Name: name.Count == 0 ? null : string.Join(' ', name), Curp: First("curp"), Address: First("address"),
            Municipality: First("municipality"), Poligono: First("poligono"), PageSize: MaxRanked);
    }

    private static DciSearchOutcome Reject(string referenceId, string code, string message) => new(new JsonObject
    {
        ["reference_id"] = referenceId,
        ["timestamp"] = Dci.Now(),
        ["status"] = "rjct",
        ["status_reason_code"] = code,
        ["status_reason_message"] = message,
    }, [], false);
}
