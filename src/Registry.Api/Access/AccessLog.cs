using Dapper;
using Npgsql;

namespace Registry.Api.Access;

public static class AccessKind
{
    public const string Person = "person";
    public const string Household = "household";
    public const string LineagePerson = "lineage-person";
    public const string LineageHousehold = "lineage-household";
    public const string LineageServiceEvent = "lineage-service-event";
    public const string Search = "search";
    public const string ReviewQueue = "review-queue";
    public const string ReviewTask = "review-task";
    public const string IdentityEvents = "identity-events";
    /// <summary>An attempt the registry refused (detail: what was asked and why it was refused).</summary>
    public const string Denied = "denied";
    /// <summary>A download of an extract's rejected rows (raw lines, personal data) as CSV.</summary>
    public const string RejectedRowsCsv = "rejected-rows-csv";
    /// <summary>A download of an extract's warnings (values left out of accepted rows, as sent: personal data) as CSV.</summary>
    public const string RowWarningsCsv = "row-warnings-csv";
    /// <summary>A read of the territory events (who moved where, and why).</summary>
    public const string TerritoryEvents = "territory-events";
    /// <summary>A read of the matching models (list or one version's page); no personal data.</summary>
    public const string MatchModels = "match-models";
    /// <summary>An admin put a matching model in force (detail: version and reason).</summary>
    public const string MatchModelPromotion = "match-model-promotion";
    /// <summary>A FHIR <c>Patient/{id}</c> read (a partner system's or any reader's read of a person).</summary>
    public const string FhirPatient = "fhir-patient";
    /// <summary>A FHIR <c>Patient/$match</c>: returned ids are the persons the Bundle held.</summary>
    public const string FhirMatch = "fhir-match";
    /// <summary>A DCI Social Registry search (sync or async) by a partner system, with the ids it returned.</summary>
    public const string DciSearch = "dci-search";
    /// <summary>A DCI notify callback: the records it carried to a subscriber.</summary>
    public const string DciNotify = "dci-notify";
    /// <summary>A read of coverage by territory (page, JSON, CSV, or its list of households with a gap; detail: what was asked).</summary>
    public const string Coverage = "coverage";
}

/// <summary>One entry (properties, not a positional record: Dapper sets the uuid[] column only through a setter).</summary>
public sealed record AccessLogEntry
{
    public long Id { get; init; }
    public DateTime At { get; init; }
    public string Subject { get; init; } = "";
    public string Role { get; init; } = "";
    public string? AgencyCode { get; init; }
    public string Kind { get; init; } = "";
    public Guid? TargetId { get; init; }
    public string? Purpose { get; init; }
    public string? Detail { get; init; }
    /// <summary>The person or household ids a search returned (null for other kinds).</summary>
    public Guid[]? ReturnedIds { get; init; }
}

public sealed record AccessLogPage(IReadOnlyList<AccessLogEntry> Items, int Page, int PageSize, long Total);

/// <summary>
/// The append-only access log: every read of a person, household or lineage (PROV export), every
/// search with the ids it returned, rejected-row and warning CSV downloads and denied attempts, with who, role,
/// what, when and the declared purpose. The API's database role may only INSERT;
/// each entry is hash-chained to the one before by the database, which
/// <see cref="AccessLogVerifier"/> checks.
/// </summary>
public sealed class AccessLog(NpgsqlDataSource db)
{
    public const string PurposeHeader = "X-Purpose";
    public const string PurposeCookie = "registry.purpose";
    public const int MaxPurposeLength = 200;

    /// <summary>The purpose of this request: the X-Purpose header (API) or the purpose chosen in the UI (cookie).</summary>
    public static string? PurposeOf(HttpContext context)
    {
        var value = context.Request.Headers[PurposeHeader].ToString();
        if (string.IsNullOrWhiteSpace(value)) value = context.Request.Cookies[PurposeCookie] ?? "";
        value = value.Trim();
        return value.Length == 0 ? null : value;
    }

    /// <summary>A 400 answer when the declared purpose is too long, else null.</summary>
    public static IResult? CheckPurpose(HttpContext context) =>
        PurposeOf(context) is { Length: > MaxPurposeLength }
            ? Results.Problem($"{PurposeHeader} is at most {MaxPurposeLength} characters.", statusCode: StatusCodes.Status400BadRequest)
            : null;

    /// <param name="returned">What a search returned (person or household ids), so an auditor finds every search that showed someone.</param>
    public Task RecordAsync(HttpContext context, RegistryUser user, string kind, Guid? targetId, string? detail = null,
        string? purpose = null, IEnumerable<Guid>? returned = null, CancellationToken ct = default) =>
        RecordAsync(user, kind, targetId, detail, string.IsNullOrWhiteSpace(purpose) ? PurposeOf(context) : purpose.Trim(), returned, ct);

    /// <summary>A read made outside a request (a DCI notify computed for a subscriber): its purpose given, not read from a header.</summary>
    public async Task RecordAsync(RegistryUser user, string kind, Guid? targetId, string? detail, string? purpose,
        IEnumerable<Guid>? returned = null, CancellationToken ct = default)
    {
        if (purpose is { Length: > MaxPurposeLength }) purpose = purpose[..MaxPurposeLength];
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO access_log (subject, role, agency_code, kind, target_id, purpose, detail, returned_ids)
            VALUES (@subject, @role, @agency, @kind, @targetId, @purpose, @detail, @returned)
            """,
            new { subject = user.Name, role = user.RoleText, agency = user.Agency, kind, targetId, purpose, detail, returned = returned?.ToArray() },
            cancellationToken: ct));
    }

    public sealed record Filter(string? Subject, string? Kind, Guid? TargetId, DateTime? From, DateTime? To, int Page, int PageSize);

    public async Task<AccessLogPage> QueryAsync(Filter f, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var args = new { subject = f.Subject, kind = f.Kind, targetId = f.TargetId, from = f.From, to = f.To,
                         limit = f.PageSize, offset = (f.Page - 1) * f.PageSize };
        const string where = """
             WHERE (@subject::text IS NULL OR subject = @subject)
               AND (@kind::text IS NULL OR kind = @kind)
               AND (@targetId::uuid IS NULL OR target_id = @targetId OR returned_ids @> ARRAY[@targetId::uuid])
               AND (@from::timestamptz IS NULL OR at >= @from)
               AND (@to::timestamptz IS NULL OR at < @to)
            """;
        var items = (await connection.QueryAsync<AccessLogEntry>(new CommandDefinition(
            $"""
            SELECT id, at, subject, role, agency_code, kind, target_id, purpose, detail, returned_ids FROM access_log
            {where}
             ORDER BY at DESC, id DESC LIMIT @limit OFFSET @offset
            """, args, cancellationToken: ct))).AsList();
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM access_log {where}", args, cancellationToken: ct));
        return new AccessLogPage(items, f.Page, f.PageSize, total);
    }

    public static readonly string[] Kinds =
        [AccessKind.Person, AccessKind.Household, AccessKind.LineagePerson, AccessKind.LineageHousehold, AccessKind.LineageServiceEvent, AccessKind.Search,
         AccessKind.ReviewQueue, AccessKind.ReviewTask, AccessKind.IdentityEvents, AccessKind.TerritoryEvents, AccessKind.Denied, AccessKind.RejectedRowsCsv,
         AccessKind.MatchModels, AccessKind.MatchModelPromotion, AccessKind.RowWarningsCsv, AccessKind.FhirPatient, AccessKind.FhirMatch,
         AccessKind.DciSearch, AccessKind.DciNotify, AccessKind.Coverage];

    /// <summary>GET /api/access-log — auditors only; filters by subject, kind, target and time range; paged.</summary>
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/access-log", async (AccessLog log, string? subject, string? kind, Guid? target, DateTime? from, DateTime? to,
                int? page, int? pageSize, CancellationToken ct) =>
            {
                if (kind is not null && !Kinds.Contains(kind, StringComparer.Ordinal))
                    return Results.Problem($"kind is one of {string.Join(", ", Kinds)}.", statusCode: StatusCodes.Status400BadRequest);
                if ((subject?.Length ?? 0) > 200)
                    return Results.Problem("subject is at most 200 characters.", statusCode: StatusCodes.Status400BadRequest);
                if (page is < 1 or > 100_000 || pageSize is < 1 or > 500)
                    return Results.Problem("page ≥ 1, pageSize 1–500.", statusCode: StatusCodes.Status400BadRequest);
                return Results.Ok(await log.QueryAsync(new Filter(
                    string.IsNullOrWhiteSpace(subject) ? null : subject.Trim(), kind, target,
                    from?.ToUniversalTime(), to?.ToUniversalTime(), page ?? 1, pageSize ?? 50), ct));
            })
            .RequireAuthorization(AccessPolicies.AccessLog)
            .WithName("QueryAccessLog").WithTags("Access")
            .WithSummary("Who read which person, household or lineage (PROV), whom searches returned, CSV downloads and denied attempts, when and why " +
                         "(auditors; newest first, paged; target also finds the searches that returned that id)");
}
