using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Registry.Contracts;

namespace Registry.Persons;

/// <summary>
/// Recomputes the golden record of the given persons from their current source records
/// (<see cref="GoldenRecord"/>) and stores each field with the source record it came from;
/// the person row carries the display copy the API and search read.
/// </summary>
public static class GoldenRecordWriter
{
    public static async Task RefreshAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid[] personIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(personIds);
        if (personIds.Length == 0) return;
        var sources = new Dictionary<Guid, List<GoldenSource>>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT sr.person_id, sr.id, sr.data::text, e.sector, e.received_at
              FROM source_records sr JOIN extracts e ON e.id = sr.extract_id
             WHERE sr.person_id = ANY(@ids)
               AND NOT EXISTS (SELECT 1 FROM source_records newer WHERE newer.supersedes = sr.id)
            """, connection, tx))
        {
            command.Parameters.AddWithValue("ids", personIds);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var person = reader.GetGuid(0);
                if (!sources.TryGetValue(person, out var list)) sources[person] = list = [];
                list.Add(new GoldenSource(reader.GetGuid(1), JsonSerializer.Deserialize<SourceRow>(reader.GetString(2))!,
                    reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
            }
        }

        await using (var command = new NpgsqlCommand(
            "CREATE TEMP TABLE stage_golden (person_id uuid, field text, value text, source_record_id uuid, rule text) ON COMMIT DROP",
            connection, tx))
            await command.ExecuteNonQueryAsync(ct);
        await using (var writer = await connection.BeginBinaryImportAsync("COPY stage_golden FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (person, list) in sources)
            foreach (var field in GoldenRecord.Build(list))
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(person, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(field.Field, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(field.Value, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(field.SourceRecordId, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(field.Rule, NpgsqlDbType.Text, ct);
            }
            await writer.CompleteAsync(ct);
        }
        await using (var command = new NpgsqlCommand(
            """
            DELETE FROM person_golden_fields WHERE person_id = ANY(@ids);
            INSERT INTO person_golden_fields (person_id, field, value, source_record_id, rule)
            SELECT person_id, field, value, source_record_id, rule FROM stage_golden;
            UPDATE persons p
               SET curp = g.curp, given_names = g.given_names, paternal_surname = g.paternal_surname,
                   maternal_surname = g.maternal_surname, sex = g.sex, birth_date = g.birth_date::date,
                   golden_source_record_id = coalesce(g.anchor, p.golden_source_record_id), updated_at = now()
              FROM (SELECT person_id,
                           max(value) FILTER (WHERE field = 'curp') AS curp,
                           max(value) FILTER (WHERE field = 'given_names') AS given_names,
                           max(value) FILTER (WHERE field = 'paternal_surname') AS paternal_surname,
                           max(value) FILTER (WHERE field = 'maternal_surname') AS maternal_surname,
                           max(value) FILTER (WHERE field = 'sex') AS sex,
                           max(value) FILTER (WHERE field = 'birth_date') AS birth_date,
                           (array_agg(source_record_id) FILTER (WHERE field = 'paternal_surname'))[1] AS anchor
                      FROM stage_golden GROUP BY person_id) g
             WHERE p.id = g.person_id;
            DROP TABLE stage_golden;
            """, connection, tx))
        {
            command.Parameters.AddWithValue("ids", personIds);
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
