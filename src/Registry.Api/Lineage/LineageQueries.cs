using System.Text.Json;
using Registry.Contracts;
using Dapper;
using Npgsql;

namespace Registry.Api.Lineage;

/// <summary>
/// One source record with its file (extract, SHA-256), row, and the decision that linked it: the
/// rule, and for a probabilistic link its score, thresholds and per-field evidence.
/// </summary>
public sealed record LineageRecord(
    Guid SourceRecordId, Guid PersonId, int RowNumber, int Version, Guid? Supersedes, string ContentHash, string AgencyCode, string FeedCode,
    Guid ExtractId, string FileName, string FileSha256, DateTime ReceivedAt,
    string? Rule, string? MatchedKey, string? ModelVersion, string? DecidedBy, DateTime? DecidedAt, bool? CreatedPerson,
    double? Score, double? LinkThreshold, double? ReviewThreshold, [property: System.Text.Json.Serialization.JsonIgnore] string? EvidenceJson)
{
    /// <summary>Per field: comparison level, weight (log2 m/u, after term-frequency adjustment).</summary>
    public JsonElement? Evidence => EvidenceJson is null ? null : JsonDocument.Parse(EvidenceJson).RootElement;
}

/// <summary>A merge, split or steward decision that touched a person (append-only <c>identity_events</c>).</summary>
public sealed record LineageIdentityEvent
{
    public long Id { get; init; }
    public string Kind { get; init; } = "";
    public Guid PersonId { get; init; }
    public Guid? OtherPersonId { get; init; }
    public Guid[] SourceRecordIds { get; init; } = [];
    public Guid? BridgingRecord { get; init; }
    public double? Score { get; init; }
    public string? ModelVersion { get; init; }
    public string DecidedBy { get; init; } = "";
    public string Reason { get; init; } = "";
    public Guid? ReviewTaskId { get; init; }
    public DateTime At { get; init; }
}

/// <summary>A household merge or split (append-only <c>household_events</c>).</summary>
public sealed record LineageHouseholdEvent
{
    public long Id { get; init; }
    public string Kind { get; init; } = "";
    public Guid HouseholdId { get; init; }
    public Guid OtherHouseholdId { get; init; }
    public Guid[] SharedMembers { get; init; } = [];
    public string Reason { get; init; } = "";
    public string DecidedBy { get; init; } = "";
    public DateTime At { get; init; }
}

public sealed record LineageService(Guid Id, Guid SourceRecordId, Guid PersonId, string AgencyCode, string Sector, string? Programme,
    string? ServiceType, DateOnly? ServiceDate, string? Status, Guid? SupersededBy);

public sealed record LineageMembership(Guid HouseholdId, Guid PersonId, string? Relationship, DateOnly? ValidFrom, DateOnly? ValidTo, Guid SourceRecordId);

/// <summary>Everything behind a person, a household or a service event: records, files, rows, decisions.</summary>
public sealed record LineageGraph(
    string Kind, Guid Id, IReadOnlyList<LineageRecord> Records, IReadOnlyList<LineageService> Services, IReadOnlyList<LineageMembership> Memberships,
    IReadOnlyList<LineageIdentityEvent> IdentityEvents, IReadOnlyList<LineageHouseholdEvent> HouseholdEvents);

/// <summary>A service event traced to its file and row: the row's fields as the agency sent them, and the decision.</summary>
/// <param name="Warnings">Values of the row left out as invalid or implausible (not used by matching or the golden record), as the agency sent them.</param>
public sealed record ServiceEventTrace(LineageService Service, LineageRecord Record, IReadOnlyDictionary<string, string?> RowFields,
    IReadOnlyList<FieldWarning> Warnings);

/// <summary>Loads lineage (the source records, their extracts and decisions) for persons, households and service events.</summary>
public sealed class LineageQueries(NpgsqlDataSource db)
{
    private const string RecordColumns = """
        sr.id AS source_record_id, sr.person_id, sr.row_number, sr.version, sr.supersedes, sr.content_hash, sr.agency_code, sr.feed_code,
        e.id AS extract_id, e.file_name, e.sha256 AS file_sha256, e.received_at,
        md.rule, md.matched_key, md.model_version, md.decided_by, md.decided_at, md.created_person,
        md.score, md.link_threshold, md.review_threshold, md.evidence::text AS evidence_json
        """;
    private const string ServiceColumns = """
        se.id, se.source_record_id, se.person_id, se.agency_code, se.sector, se.programme, se.service_type, se.service_date, se.status, se.superseded_by
        """;

    public async Task<LineageGraph?> PersonAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM persons WHERE id = @id)", new { id }, cancellationToken: ct)))
            return null;
        return await LoadAsync(connection, "person", id, [id], ct);
    }

    public async Task<LineageGraph?> HouseholdAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM households WHERE id = @id)", new { id }, cancellationToken: ct)))
            return null;
        var persons = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT person_id FROM household_members WHERE household_id = @id", new { id }, cancellationToken: ct))).ToArray();
        return await LoadAsync(connection, "household", id, persons, ct);
    }

    public async Task<LineageGraph?> ServiceEventAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var service = await connection.QuerySingleOrDefaultAsync<LineageService>(new CommandDefinition(
            $"SELECT {ServiceColumns} FROM service_events se WHERE se.id = @id", new { id }, cancellationToken: ct));
        if (service is null) return null;
        var records = (await connection.QueryAsync<LineageRecord>(new CommandDefinition(
            $"""
            SELECT {RecordColumns}
              FROM source_records sr JOIN extracts e ON e.id = sr.extract_id
              LEFT JOIN match_decisions md ON md.source_record_id = sr.id
             WHERE sr.id = @sourceRecordId
            """, new { sourceRecordId = service.SourceRecordId }, cancellationToken: ct))).AsList();
        return new LineageGraph("service-event", id, records, [service], [], [], []);
    }

    /// <summary>The service event, its source record and the row's fields as the agency sent them.</summary>
    public async Task<ServiceEventTrace?> TraceServiceEventAsync(Guid id, CancellationToken ct)
    {
        var graph = await ServiceEventAsync(id, ct);
        if (graph is null || graph.Records.Count == 0) return null;
        await using var connection = await db.OpenConnectionAsync(ct);
        var json = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT data::text FROM source_records WHERE id = @id", new { id = graph.Records[0].SourceRecordId }, cancellationToken: ct));
        var fields = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        var warnings = new List<FieldWarning>();
        using (var doc = JsonDocument.Parse(json ?? "{}"))
        {
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Null) continue;
                if (p.Name == nameof(SourceRow.Warnings) && p.Value.ValueKind == JsonValueKind.Array)
                {
                    foreach (var w in p.Value.EnumerateArray())
                        warnings.Add(new FieldWarning(Text(w, nameof(FieldWarning.Field)), Text(w, nameof(FieldWarning.Value)), Text(w, nameof(FieldWarning.Reason))));
                    continue;
                }
                fields[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText();
            }
        }
        return new ServiceEventTrace(graph.Services[0], graph.Records[0], fields, warnings);

        static string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
    }

    private static async Task<LineageGraph> LoadAsync(NpgsqlConnection connection, string kind, Guid id, Guid[] persons, CancellationToken ct)
    {
        var records = (await connection.QueryAsync<LineageRecord>(new CommandDefinition(
            $"""
            SELECT {RecordColumns}
              FROM source_records sr JOIN extracts e ON e.id = sr.extract_id
              LEFT JOIN match_decisions md ON md.source_record_id = sr.id
             WHERE sr.person_id = ANY (@persons)
             ORDER BY e.received_at, sr.row_number
            """, new { persons }, cancellationToken: ct))).AsList();
        var services = (await connection.QueryAsync<LineageService>(new CommandDefinition(
            $"SELECT {ServiceColumns} FROM service_events se WHERE se.person_id = ANY (@persons) ORDER BY se.service_date DESC NULLS LAST, se.id",
            new { persons }, cancellationToken: ct))).AsList();
        var memberships = (await connection.QueryAsync<LineageMembership>(new CommandDefinition(
            """
            SELECT household_id, person_id, relationship, valid_from, valid_to, source_record_id
              FROM household_members WHERE person_id = ANY (@persons) ORDER BY household_id, person_id
            """, new { persons }, cancellationToken: ct))).AsList();
        var identityEvents = (await connection.QueryAsync<LineageIdentityEvent>(new CommandDefinition(
            """
            SELECT id, kind, person_id, other_person_id, source_record_ids, bridging_record, score, model_version, decided_by, reason, review_task_id, at
              FROM identity_events WHERE person_id = ANY (@persons) OR other_person_id = ANY (@persons) ORDER BY id
            """, new { persons }, cancellationToken: ct))).AsList();
        var householdEvents = kind != "household" ? [] : (await connection.QueryAsync<LineageHouseholdEvent>(new CommandDefinition(
            """
            SELECT id, kind, household_id, other_household_id, shared_members, reason, decided_by, at
              FROM household_events WHERE household_id = @id OR other_household_id = @id ORDER BY id
            """, new { id }, cancellationToken: ct))).AsList();
        return new LineageGraph(kind, id, records, services, memberships, identityEvents, householdEvents);
    }
}
