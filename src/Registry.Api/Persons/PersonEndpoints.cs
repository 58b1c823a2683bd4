using Dapper;
using Npgsql;

namespace Registry.Api.Persons;

public sealed record GoldenRecord(
    Guid Id, string? Curp, string? GivenNames, string? PaternalSurname, string? MaternalSurname, string? Sex,
    DateOnly? BirthDate, Guid GoldenSourceRecordId);

/// <summary>A source record linked to the person, with where it came from and why it was linked.</summary>
public sealed record PersonSource(
    Guid SourceRecordId, string AgencyCode, string FeedCode, Guid ExtractId, string FileName, string FileSha256, int RowNumber,
    string Rule, string? MatchedKey, string ModelVersion, string DecidedBy, DateTime DecidedAt);

public sealed record PersonView(GoldenRecord Person, IReadOnlyList<PersonSource> Sources, IReadOnlyList<Guid> Households);

/// <summary>A person's golden record and its lineage: each source record, its file and row, and the link decision.</summary>
public static class PersonEndpoints
{
    public static void MapPersons(this RouteGroupBuilder api) =>
        api.MapGet("/persons/{id:guid}", Get).WithName("GetPerson")
            .WithSummary("Golden record of a person with its source records and the decisions that linked them");

    private static async Task<IResult> Get(NpgsqlDataSource db, Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var person = await connection.QuerySingleOrDefaultAsync<GoldenRecord>(new CommandDefinition(
            """
            SELECT id, curp, given_names, paternal_surname, maternal_surname, sex, birth_date, golden_source_record_id
              FROM persons WHERE id = @id
            """, new { id }, cancellationToken: ct));
        if (person is null) return Results.NotFound();

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
        return Results.Ok(new PersonView(person, sources, households));
    }
}
