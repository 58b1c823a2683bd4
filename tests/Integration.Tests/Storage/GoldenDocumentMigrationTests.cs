using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Integration.Tests.Infrastructure;
using Registry.Persons;
using Registry.Storage;

namespace Registry.Integration.Tests.Storage;

/// <summary>A registry whose golden records were stored in the earlier, per-field-id format reads the same fields after upgrading.</summary>
[Collection(ServersCollection.Name)]
public sealed class GoldenDocumentMigrationTests(RegistryServers servers)
{
    [Fact]
    public async Task Golden_documents_written_before_the_compact_format_keep_every_value_source_and_rule()
    {
        var database = await servers.CreateDatabaseAsync();
        await Migrator.ApplyThroughAsync(database, "Registry.Storage.Migrations.0005_identity_changes.sql", NullLogger.Instance);
        var (clinic, dif) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var person = Guid.CreateVersion7();
        await using (var db = NpgsqlDataSource.Create(database))
        await using (var insert = db.CreateCommand(
            """
            INSERT INTO persons (id, golden_source_record_id, golden, restricted_view, restricted_golden)
            VALUES (@person, @dif, json_build_object(
                        'given_names', json_build_object('value', 'ANA "LA" MARÍA', 'sourceRecordId', @clinic, 'rule', 'source-trust'),
                        'paternal_surname', json_build_object('value', 'CANTÚ', 'sourceRecordId', @dif, 'rule', 'source-trust'),
                        'phone', json_build_object('value', '8331234567', 'sourceRecordId', @clinic, 'rule', 'most-recent')),
                    'own', json_build_object('paternal_surname', json_build_object('value', 'CANTÚ', 'sourceRecordId', @dif, 'rule', 'source-trust')))
            """))
        {
            insert.Parameters.AddWithValue("person", person);
            insert.Parameters.AddWithValue("clinic", clinic);
            insert.Parameters.AddWithValue("dif", dif);
            await insert.ExecuteNonQueryAsync();
        }

        await Migrator.ApplyAsync(database, NullLogger.Instance);

        await using var after = NpgsqlDataSource.Create(database);
        await using var read = after.CreateCommand("SELECT golden::text, restricted_golden::text FROM persons");
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(
            [new("given_names", "ANA \"LA\" MARÍA", clinic, "source-trust"), new("paternal_surname", "CANTÚ", dif, "source-trust"),
             new GoldenField("phone", "8331234567", clinic, "most-recent")],
            GoldenDocument.Parse(reader.GetString(0)));
        Assert.Equal([new GoldenField("paternal_surname", "CANTÚ", dif, "source-trust")], GoldenDocument.Parse(reader.GetString(1)));
    }
}
