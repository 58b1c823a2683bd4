using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>
/// The blocking keys' exact text. The candidate index and the chunk's own blocking hash these characters,
/// and stored records are re-filed from them at every start, so the text is a format: it must not drift.
/// </summary>
public sealed class BlockingKeyTextTests
{
    [Fact]
    public void A_record_with_every_field_is_filed_and_looked_up_under_these_keys()
    {
        var record = MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = "CLAUDIA", PaternalSurname = "TREVIÑO",
            MaternalSurname = "ESQUIVEL", BirthDate = new DateOnly(984, 3, 7), Phone = "834 123 4567", OtherId = "ab-12345",
            Curp = "TEEC840317MTSRSL09",
        }, Guid.NewGuid(), Guid.NewGuid());
        var (p, m, g) = (record.PaternalPhonetic, record.MaternalPhonetic, record.GivenPhonetic);
        var (first, second) = string.CompareOrdinal(p, m) <= 0 ? (p, m) : (m, p);

        // The row's own date (0984-03-07), then the other date its CURP says (1984-03-17).
        Assert.Equal(
        [
            $"dp:0984-03-07:{p}", $"dp:0984-03-07:{m}", $"dg:0984-03-07:{g}", $"dp:0984-03-07:{g}", "di:0984-03-07:CT",
            $"sy:{p}:{g}:984", $"sy:{m}:{g}:984", $"sm:{p}:{g}:0307", $"sm:{m}:{g}:0307",
            $"dp:1984-03-17:{p}", $"dp:1984-03-17:{m}", $"dg:1984-03-17:{g}", $"dp:1984-03-17:{g}", "di:1984-03-17:CT",
            $"sy:{p}:{g}:1984", $"sy:{m}:{g}:1984", $"sm:{p}:{g}:0317", $"sm:{m}:{g}:0317",
            $"pg:{first}:{second}:{g}", "c10:TEEC840317", $"ph:{record.Phone}", "oi:AB12345",
        ], record.BlockingKeys());
        Assert.Equal($"pn:{first}:{second}:{g}", record.QueryKeys().ElementAt(18));
    }

    [Fact]
    public void A_record_without_a_birth_date_blocks_on_its_names_and_its_CURPs_date()
    {
        var dateless = MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = "CLAUDIA", PaternalSurname = "TREVIÑO", MaternalSurname = "ESQUIVEL",
        }, Guid.NewGuid(), Guid.NewGuid());
        var (p, m, g) = (dateless.PaternalPhonetic, dateless.MaternalPhonetic, dateless.GivenPhonetic);
        var (first, second) = string.CompareOrdinal(p, m) <= 0 ? (p, m) : (m, p);

        Assert.Equal([$"pg:{first}:{second}:{g}", $"pn:{first}:{second}:{g}", $"s1n:{p}:{g}", $"s1n:{m}:{g}"], dateless.BlockingKeys());
        // … and the one-surname records with given name and surname swapped (SNELL SOPHIE / SOPHIE SNELL).
        Assert.Equal([$"pg:{first}:{second}:{g}", $"s1:{p}:{g}", $"s1:{m}:{g}", $"s1:{g}:{p}"], dateless.QueryKeys());
    }

    [Fact]
    public void Hashes_are_those_of_the_keys_text()
    {
        var record = MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = "JOSE LUIS", PaternalSurname = "GARZA", MaternalSurname = "CANTU",
            BirthDate = new DateOnly(2001, 11, 30), Curp = "GACL011130HTSRNSA1",
        }, Guid.NewGuid(), Guid.NewGuid());
        var hashes = new List<ulong>();
        record.KeyHashes(query: false, hashes);

        Assert.Equal(record.BlockingKeys().Select(MatchRecord.KeyHash), hashes);
    }
}
