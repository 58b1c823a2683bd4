using Dapper;
using Npgsql;
using Registry.Api.Access;

namespace Registry.Api.Persons;

public sealed record GoldenRecord(
    Guid Id, string? Curp, string? GivenNames, string? PaternalSurname, string? MaternalSurname, string? Sex,
    DateOnly? BirthDate, Guid? GoldenSourceRecordId)
{
    public string FullName => string.Join(' ', new[] { GivenNames, PaternalSurname, MaternalSurname }.Where(s => !string.IsNullOrWhiteSpace(s)));
}

/// <summary>
/// One field of the golden record, the source record (agency, file, row) that supplied it, and the survivorship rule that chose it.
/// For a reader who may not see every source, a field no visible source supplied has no value and no source, only <see cref="Note"/>.
/// </summary>
public sealed record GoldenField(string Field, string? Value, Guid? SourceRecordId, string? AgencyCode, string? FileName, int? RowNumber, string? Rule,
    string? Note = null);

/// <summary>
/// A source record linked to the person, with where it came from and why it was linked. A source of a sector the reader may
/// not see (<see cref="Reserved"/>) carries only its sector and service date: no id, agency, feed, file, row, key or decision.
/// </summary>
public sealed record PersonSource(
    Guid? SourceRecordId, string? AgencyCode, string? FeedCode, Guid? ExtractId, string? FileName, string? FileSha256, int? RowNumber,
    string? Rule, string? MatchedKey, string? ModelVersion, string? DecidedBy, DateTime? DecidedAt, double? Score,
    string Sector, DateOnly? ServiceDate, bool Reserved = false);

public sealed record PersonView(GoldenRecord Person, IReadOnlyList<GoldenField> Fields, IReadOnlyList<PersonSource> Sources, IReadOnlyList<Guid> Households);

/// <summary>
/// A person's golden record, the source of each field, and every source record with the decision that linked it — as the
/// reader may see them (<see cref="SensitiveSources"/>): fields only from visible sources, hidden sources as sector and date.
/// </summary>
public sealed class PersonQueries(NpgsqlDataSource db)
{
    /// <summary>Said of a golden field no source the reader may see supplied (neutral: also said when no source has it).</summary>
    public const string ReservedNote = "dato reservado o no disponible";

    /// <summary>The person a merged id now redirects to, or null when the id is current (or unknown).</summary>
    public async Task<Guid?> SurvivorOfAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT merged_into FROM persons WHERE id = @id", new { id }, cancellationToken: ct));
    }

    private sealed record SourceRow(
        Guid SourceRecordId, string AgencyCode, string FeedCode, string Sector, Guid ExtractId, string FileName, string FileSha256, int RowNumber,
        string Rule, string? MatchedKey, string ModelVersion, string DecidedBy, DateTime DecidedAt, double? Score, string? ServiceDate);

    public async Task<PersonView?> LoadAsync(Guid id, RegistryUser user, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM persons WHERE id = @id)", new { id }, cancellationToken: ct)))
            return null;

        var rows = (await connection.QueryAsync<SourceRow>(new CommandDefinition(
            """
            SELECT sr.id AS source_record_id, sr.agency_code, sr.feed_code, e.sector, sr.extract_id, e.file_name, e.sha256 AS file_sha256,
                   sr.row_number, md.rule, md.matched_key, md.model_version, md.decided_by, md.decided_at, md.score,
                   sr.data ->> 'ServiceDate' AS service_date
              FROM source_records sr
              JOIN extracts e ON e.id = sr.extract_id
              JOIN match_decisions md ON md.source_record_id = sr.id
             WHERE sr.person_id = @id
             ORDER BY e.received_at, sr.row_number
            """, new { id }, cancellationToken: ct))).AsList();
        var households = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT household_id FROM household_members WHERE person_id = @id ORDER BY household_id", new { id }, cancellationToken: ct))).AsList();

        var sources = rows.Select(r => user.SeesSource(r.Sector, r.AgencyCode)
                ? new PersonSource(r.SourceRecordId, r.AgencyCode, r.FeedCode, r.ExtractId, r.FileName, r.FileSha256, r.RowNumber, r.Rule,
                    r.MatchedKey, r.ModelVersion, r.DecidedBy, r.DecidedAt, r.Score, r.Sector, ServiceDay(r.ServiceDate))
                : new PersonSource(null, null, null, null, null, null, null, null, null, null, null, null, null, r.Sector, ServiceDay(r.ServiceDate), Reserved: true))
            .ToList();
        // Hidden sources are listed by sector and date, in date order, so their position says nothing of when their file arrived.
        sources = [.. sources.Where(s => !s.Reserved), .. sources.Where(s => s.Reserved).OrderBy(s => s.Sector, StringComparer.Ordinal).ThenBy(s => s.ServiceDate)];

        // Each golden field names the source record it survived from; a reader sees only fields from sources they may see.
        var golden = (await SensitiveSources.GoldenAsync(connection, [id], user, ct))[id];
        var byId = rows.Where(r => user.SeesSource(r.Sector, r.AgencyCode)).ToDictionary(s => s.SourceRecordId);
        var fields = new List<GoldenField>();
        foreach (var f in golden.Fields)
        {
            if (!byId.TryGetValue(f.SourceRecordId, out var from)) continue;
            fields.Add(new GoldenField(f.Field, f.Value, f.SourceRecordId, from.AgencyCode, from.FileName, from.RowNumber, f.Rule));
        }
        // Every field is listed for a reader who may not see every source, so a blank says nothing of whether a hidden source had it.
        if (!user.SeesEverySource)
            fields = [.. SensitiveSources.FieldOrder.Select(name => fields.Find(f => f.Field == name)
                ?? new GoldenField(name, null, null, null, null, null, null, ReservedNote))];
        var person = new GoldenRecord(id, golden.Curp, golden.GivenNames, golden.PaternalSurname, golden.MaternalSurname, golden.Sex, golden.BirthDate,
            golden.Fields.FirstOrDefault(f => f.Field == Registry.Persons.GoldenRecord.PaternalSurname)?.SourceRecordId);
        return new PersonView(person, fields, sources, households);
    }

    private static DateOnly? ServiceDay(string? iso) => DateOnly.TryParseExact(iso, "yyyy-MM-dd", out var d) ? d : null;
}
