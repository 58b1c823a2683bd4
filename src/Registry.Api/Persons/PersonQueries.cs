using Dapper;
using Npgsql;

namespace Registry.Api.Persons;

public sealed record GoldenRecord(
    Guid Id, string? Curp, string? GivenNames, string? PaternalSurname, string? MaternalSurname, string? Sex,
    DateOnly? BirthDate, Guid GoldenSourceRecordId)
{
    public string FullName => string.Join(' ', new[] { GivenNames, PaternalSurname, MaternalSurname }.Where(s => !string.IsNullOrWhiteSpace(s)));
}

/// <summary>One field of the golden record and the source record (agency, file, row) that supplied it.</summary>
public sealed record GoldenField(string Field, string? Value, Guid SourceRecordId, string AgencyCode, string FileName, int RowNumber);

/// <summary>A source record linked to the person, with where it came from and why it was linked.</summary>
public sealed record PersonSource(
    Guid SourceRecordId, string AgencyCode, string FeedCode, Guid ExtractId, string FileName, string FileSha256, int RowNumber,
    string Rule, string? MatchedKey, string ModelVersion, string DecidedBy, DateTime DecidedAt);

public sealed record PersonView(GoldenRecord Person, IReadOnlyList<GoldenField> Fields, IReadOnlyList<PersonSource> Sources, IReadOnlyList<Guid> Households);

/// <summary>A person's golden record, the source of each field, and every source record with the decision that linked it.</summary>
public sealed class PersonQueries(NpgsqlDataSource db)
{
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
                   sr.row_number, md.rule, md.matched_key, md.model_version, md.decided_by, md.decided_at
              FROM source_records sr
              JOIN extracts e ON e.id = sr.extract_id
              JOIN match_decisions md ON md.source_record_id = sr.id
             WHERE sr.person_id = @id
             ORDER BY e.received_at, sr.row_number
            """, new { id }, cancellationToken: ct))).AsList();
        var households = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT household_id FROM household_members WHERE person_id = @id ORDER BY household_id", new { id }, cancellationToken: ct))).AsList();

        // Today every field of the golden record comes from one source record (golden_source_record_id);
        // the per-field golden record of the matching rewrite will name a source per field here.
        var golden = sources.FirstOrDefault(s => s.SourceRecordId == person.GoldenSourceRecordId);
        IReadOnlyList<GoldenField> fields = golden is null ? [] :
        [
            .. new (string Field, string? Value)[]
            {
                ("curp", person.Curp), ("given_names", person.GivenNames), ("paternal_surname", person.PaternalSurname),
                ("maternal_surname", person.MaternalSurname), ("sex", person.Sex),
                ("birth_date", person.BirthDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            }.Select(f => new GoldenField(f.Field, f.Value, golden.SourceRecordId, golden.AgencyCode, golden.FileName, golden.RowNumber)),
        ];
        return new PersonView(person, fields, sources, households);
    }
}
