using System.Text.Json;
using Registry.Contracts;
using Registry.Storage;

namespace Registry.Tests.Storage;

/// <summary>Rows read back from <c>source_records.data</c>, as stored now and as older versions stored them.</summary>
public sealed class StoredRowsTests
{
    [Fact]
    public void A_stored_row_reads_back_as_it_was_written_but_for_what_its_columns_hold()
    {
        var row = new SourceRow
        {
            RowNumber = 7, RecordKey = "E-17", ContentHash = "abc", GivenNames = "MARÍA JOSÉ", PaternalSurname = "NÚÑEZ",
            BirthDate = new DateOnly(1990, 2, 28), ServiceDate = new DateOnly(2026, 5, 1), Municipality = "Reynosa",
        };

        var stored = JsonSerializer.SerializeToUtf8Bytes(row, StoredRows.Json);
        var read = StoredRows.Read(stored);

        // What the record's columns hold (row_number, record_key, content_hash) is not repeated in its data.
        Assert.Equal(row with { RowNumber = 0, RecordKey = "", ContentHash = "" }, read);
        Assert.DoesNotContain("abc", System.Text.Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.Equal(row, StoredRows.Read(System.Text.Encoding.UTF8.GetString(stored), 7, "E-17", "abc"));
        // The contract itself still carries them on the bus.
        var onTheBus = JsonSerializer.Deserialize<SourceRow>(JsonSerializer.Serialize(row))!;
        Assert.Equal(("E-17", "abc", 7), (onTheBus.RecordKey, onTheBus.ContentHash, onTheBus.RowNumber));
    }

    [Fact]
    public void A_row_an_older_version_stored_without_required_members_reads_them_as_defaults()
    {
        var read = StoredRows.Read("""{"GivenNames": "ROSA", "PaternalSurname": "GARZA"}""");

        Assert.Equal(("", "", 0), (read.RecordKey, read.ContentHash, read.RowNumber));
        Assert.Equal(("ROSA", "GARZA"), (read.GivenNames, read.PaternalSurname));
    }
}
