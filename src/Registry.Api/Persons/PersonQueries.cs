using Dapper;
using Npgsql;

namespace Registry.Api.Persons;

public sealed record GoldenRecord(
    Guid Id, string? Curp, string? GivenNames, string? PaternalSurname, string? MaternalSurname, string? Sex,
    DateOnly? BirthDate, Guid GoldenSourceRecordId)
{
    public string FullName => string.Join(' ', new[] { GivenNames, PaternalSurname, MaternalSurname }.Where(s => !string.IsNullOrWhiteSpace(s)));
}

/// <summary>One field of the golden record, the source record (agency, file, row) that supplied it, and the survivorship rule that chose it.</summary>
public sealed record GoldenField(string Field, string? Value, Guid SourceRecordId, string AgencyCode, string FileName, int RowNumber, string Rule);

/// <summary>A source record linked to the person, with where it came from and why it was linked.</summary>
public sealed record PersonSource(
    Guid SourceRecordId, string AgencyCode, string FeedCode, Guid ExtractId, string FileName, string FileSha256, int RowNumber,
    string Rule, string? MatchedKey, string ModelVersion, string DecidedBy, DateTime DecidedAt, double? Score);

public sealed record PersonView(GoldenRecord Person, IReadOnlyList<GoldenField> Fields, IReadOnlyList<PersonSource> Sources, IReadOnlyList<Guid> Households);

/// <summary>A person's golden record, the source of each field, and every source record with the decision that linked it.</summary>
public sealed class PersonQueries(NpgsqlDataSource db)
{
    /// <summary>The person a merged id now redirects to, or null when the id is current (or unknown).</summary>
    public async Task<Guid?> SurvivorOfAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT merged_into FROM persons WHERE id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<PersonView?> LoadAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var person = await connection.QuerySingleOrDefaultAsync<GoldenRecord>(new CommandDefinition(
            """
            SELECT id, curp, given_names, paternal_surname, maternal_surname, sex, birth_date, golden_source_record_id
              FROM persons WHERE id = @id
            """, new { id }, cancellationToken: ct));
        if (person is null) return null;

        var sources = (await connection.QueryAsync<PersonSource>(new CommandDefinition(
            """
            SELECT sr.id AS source_record_id, sr.agency_code, sr.feed_code, sr.extract_id, e.file_name, e.sha256 AS file_sha256,
                   sr.row_number, md.rule, md.matched_key, md.model_version, md.decided_by, md.decided_at, md.score
              FROM source_records sr
              JOIN extracts e ON e.id = sr.extract_id
              JOIN match_decisions md ON md.source_record_id = sr.id
             WHERE sr.person_id = @id
             ORDER BY e.received_at, sr.row_number
            """, new { id }, cancellationToken: ct))).AsList();
        var households = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT household_id FROM household_members WHERE person_id = @id ORDER BY household_id", new { id }, cancellationToken: ct))).AsList();

        // Each golden field names the source record it survived from (persons.golden, written by the resolver).
        var document = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT golden::text FROM persons WHERE id = @id", new { id }, cancellationToken: ct));
        var byId = sources.ToDictionary(s => s.SourceRecordId);
        var fields = new List<GoldenField>();
        if (document is not null)
        {
            foreach (var field in System.Text.Json.JsonDocument.Parse(document).RootElement.EnumerateObject())
            {
                var source = field.Value.GetProperty("sourceRecordId").GetGuid();
                if (!byId.TryGetValue(source, out var from)) continue;
                fields.Add(new GoldenField(field.Name, field.Value.GetProperty("value").GetString(), source, from.AgencyCode, from.FileName,
                    from.RowNumber, field.Value.GetProperty("rule").GetString() ?? ""));
            }
        }
        return new PersonView(person, fields, sources, households);
    }
}
