using System.Text;
using Registry.Api.Extracts;
using Registry.Feeds;
using Registry.Ingest.Feeds;

namespace Registry.Tests.Feeds;

public sealed class CsvExtractReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("csv").FullName;

    private static readonly FeedDefinition Dif = FeedCatalog.LoadFile(
        Path.Combine(FeedCatalogTests.RepoRoot(), "deploy", "feeds", "dif-alimentaria.json"));

    private const string Header =
        "FOLIO_BENEFICIARIO;CURP;NOMBRE(S);APELLIDO PATERNO;APELLIDO MATERNO;SEXO;FECHA NAC;FOLIO_FAMILIA;PARENTESCO;PROGRAMA;APOYO;FECHA_ENTREGA;ESTATUS;COLONIA;MUNICIPIO;POLIGONO";

    [Fact]
    public void A_windows_1252_file_keeps_its_accents_and_maps_every_column()
    {
        var path = Write(Header + "\r\nDIF-1;;JOSÉ;PEÑA;NÚÑEZ;H;1980-05-01;FAM-1;JEFE;Lazos del Bienestar;Despensa;2026-10-01;ENTREGADO;COL. MÉXICO;VICTORIA;Norte\r\n",
            Encoding.GetEncoding(1252));

        var row = Assert.Single(CsvExtractReader.Read(path, Dif)).Accepted!;

        Assert.Equal("PEÑA", row.PaternalSurname);
        Assert.Equal("NÚÑEZ", row.MaternalSurname);
        Assert.Equal(new DateOnly(1980, 5, 1), row.BirthDate);
        Assert.Equal("FAM-1", row.AgencyHouseholdId);
        Assert.Null(row.Curp);
    }

    [Fact]
    public void Bad_rows_are_rejected_with_row_number_reason_and_raw_line_and_a_bad_optional_value_only_warns()
    {
        var path = Write(Header + "\n" +
            "DIF-1;;ANA;LOPEZ;;M;1980-05-01;FAM-1;JEFA;P;A;2026-10-01;E;C;V;N\n" +
            "DIF-2;;ANA;LOPEZ;;M;1980-13-01;FAM-1;JEFA;P;A;2026-10-01;E;C;V;N\n" +
            "DIF-3;;ANA;LOPEZ;;M;1980-05-01;;JEFA;P;A;2026-10-01;E;C;V;N\n" +
            "DIF-4;;ANA;LOPEZ\n", Encoding.Latin1);

        var rows = CsvExtractReader.Read(path, Dif).ToList();

        Assert.Equal(4, rows.Count);
        Assert.NotNull(rows[0].Accepted);
        // An impossible birth date is left out with a warning; the row (and its service) is kept.
        var warned = rows[1].Accepted!;
        Assert.Null(warned.BirthDate);
        var warning = Assert.Single(warned.Warnings!);
        Assert.Equal(("birth_date", "1980-13-01"), (warning.Field, warning.Value));
        Assert.Contains("month 13 does not exist", warning.Reason, StringComparison.Ordinal);
        Assert.Contains("required field agency_household_id (column 'FOLIO_FAMILIA') is empty", rows[2].Rejected!.Reason, StringComparison.Ordinal);
        Assert.Contains("4 fields but the header has 16", rows[3].Rejected!.Reason, StringComparison.Ordinal);
        Assert.Equal("DIF-4;;ANA;LOPEZ", rows[3].Rejected!.RawLine);
    }

    [Fact]
    public void Embedded_newlines_and_quotes_stay_inside_their_field()
    {
        var path = Write(Header + "\n" +
            "DIF-1;;\"ANA \"\"LA GÜERA\"\"\nMARÍA\";LOPEZ;;M;1980-05-01;FAM-1;JEFA;P;A;2026-10-01;E;C;V;N\n", Encoding.GetEncoding(1252));
        var row = Assert.Single(CsvExtractReader.Read(path, Dif)).Accepted!;
        Assert.Equal("ANA \"LA GÜERA\"\nMARÍA", row.GivenNames);
    }

    [Fact]
    public void The_same_row_content_gives_the_same_hash_and_a_change_gives_another()
    {
        var line = "DIF-1;;ANA;LOPEZ;;M;1980-05-01;FAM-1;JEFA;P;A;2026-10-01;E;C;V;N";
        var path = Write(Header + "\n" + line + "\n" + line + "\n" + line.Replace("ANA", "ANE", StringComparison.Ordinal) + "\n", Encoding.Latin1);
        var rows = CsvExtractReader.Read(path, Dif).Select(r => r.Accepted!.ContentHash).ToList();
        Assert.Equal(rows[0], rows[1]);
        Assert.NotEqual(rows[0], rows[2]);
    }

    [Fact]
    public void A_10_MB_field_rejects_its_row_with_the_limit_and_keeps_a_bounded_raw_line()
    {
        var huge = new string('A', 10 * 1024 * 1024);
        var path = Write(Header + "\n" +
            $"DIF-1;;{huge};LOPEZ;;M;1980-05-01;FAM-1;JEFA;P;A;2026-10-01;E;C;V;N\n" +
            "DIF-2;;ANA;LOPEZ;;M;1980-05-01;FAM-1;JEFA;P;A;2026-10-01;E;C;V;N\n", Encoding.Latin1);

        var rows = CsvExtractReader.Read(path, Dif).ToList();

        var rejected = rows[0].Rejected!;
        Assert.Contains("given_names (column 'NOMBRE(S)') is 10,485,760 characters long", rejected.Reason, StringComparison.Ordinal);
        Assert.True(rejected.RawLine!.Length < SourceRowMapper.MaxRawLineKept + 100);
        Assert.Equal("ANA", rows[1].Accepted!.GivenNames);
    }

    [Fact]
    public void An_unterminated_quote_in_a_large_file_rejects_the_whole_file_naming_the_row_and_the_bound()
    {
        // The quote opened in row 2 never closes: every later line would become part of one field.
        var path = Path.Combine(_folder, "unterminated.csv");
        using (var writer = new StreamWriter(path, append: false, Encoding.Latin1))
        {
            writer.Write(Header + "\nDIF-1;;ANA;LOPEZ;;M;1980-05-01;FAM-1;JEFA;P;A;2026-10-01;E;C;V;N\nDIF-2;;\"ANA;LOPEZ;;M;1980-05-01;FAM-1;JEFA;P;A;2026-10-01;E;C;V;N\n");
            var line = "DIF-3;;ANA;LOPEZ;;M;1980-05-01;FAM-1;JEFA;P;A;2026-10-01;E;C;V;N\n";
            for (long written = 0; written <= CsvExtractReader.MaxFieldChars; written += line.Length) writer.Write(line);
        }

        var check = Assert.Throws<ExtractFileException>(() => CsvExtractReader.CheckFile(path, Dif));
        var read = Assert.Throws<ExtractFileException>(() => CsvExtractReader.Read(path, Dif).ToList());

        Assert.Contains("Data row 2 (from line 3) has a field longer than 16,777,216 characters — an unterminated quote?", check.Message, StringComparison.Ordinal);
        Assert.Equal(check.Message, read.Message);
    }

    [Fact]
    public void A_file_without_line_breaks_is_rejected_whole_before_the_line_is_buffered()
    {
        var path = Path.Combine(_folder, "one-line.csv");
        using (var writer = new StreamWriter(path, append: false, Encoding.Latin1))
        {
            writer.Write(Header + "\n");
            var fields = new string(';', 64 * 1024);
            for (long written = 0; written <= CsvExtractReader.MaxLineChars; written += fields.Length) writer.Write(fields);
        }

        var check = Assert.Throws<ExtractFileException>(() => CsvExtractReader.CheckFile(path, Dif));

        Assert.Contains("Line 2 is longer than 17,825,792 characters", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_UTF8_byte_order_mark_does_not_hide_the_first_column()
    {
        var utf8Feed = Dif with { Csv = Dif.Csv with { Encoding = "utf-8-bom" } };
        var path = Write("\uFEFF" + Header + "\nDIF-1;;JOSÉ;PEÑA;;H;1980-05-01;FAM-1;JEFE;P;A;2026-10-01;E;C;V;N\n", new UTF8Encoding(false));
        var row = Assert.Single(CsvExtractReader.Read(path, utf8Feed)).Accepted!;
        Assert.Equal("DIF-1", row.AgencyPersonId);
        Assert.Equal("PEÑA", row.PaternalSurname);
    }

    [Fact]
    public void A_file_cut_off_inside_its_last_row_rejects_that_row_and_keeps_the_others()
    {
        var path = Write(Header + "\n" +
            "DIF-1;;ANA;LOPEZ;;M;1980-05-01;FAM-1;JEFA;P;A;2026-10-01;E;C;V;N\n" +
            "DIF-2;;\"ANA", Encoding.Latin1);
        var rows = CsvExtractReader.Read(path, Dif).ToList();
        Assert.Equal(2, rows.Count);
        Assert.NotNull(rows[0].Accepted);
        Assert.Equal(2, rows[1].Rejected!.RowNumber);
    }

    [Fact]
    public void An_empty_file_is_rejected_whole()
    {
        var path = Write("", Encoding.UTF8);
        var error = Assert.Throws<ExtractFileException>(() => CsvExtractReader.Read(path, Dif).ToList());
        Assert.Contains("no header row", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_only_file_has_no_rows()
    {
        var path = Write(Header + "\n", Encoding.Latin1);
        Assert.Empty(CsvExtractReader.Read(path, Dif));
    }

    [Fact]
    public void A_duplicated_header_is_rejected_whole()
    {
        var path = Write(Header + ";CURP\n", Encoding.Latin1);
        var error = Assert.Throws<ExtractFileException>(() => CsvExtractReader.Read(path, Dif).ToList());
        Assert.Contains("'CURP' twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_with_the_wrong_delimiter_says_which_one_it_seems_to_use()
    {
        var path = Write(Header.Replace(';', ',') + "\n", Encoding.Latin1);
        var error = Assert.Throws<ExtractFileException>(() => CsvExtractReader.CheckFile(path, Dif));
        Assert.Contains("seems to use ','", error.Message, StringComparison.Ordinal);
        Assert.Contains("FOLIO_BENEFICIARIO", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_valid_in_the_feeds_encoding_reject_the_file_before_any_row()
    {
        var utf8Feed = Dif with { Csv = Dif.Csv with { Encoding = "utf-8" } };
        var path = Write(Header + "\nDIF-1;;JOS\u00c9;LOPEZ;;M;1980-05-01;FAM-1;JEFA;P;A;2026-10-01;E;C;V;N\n", Encoding.GetEncoding(1252));
        var check = Assert.Throws<ExtractFileException>(() => CsvExtractReader.CheckFile(path, utf8Feed));
        var read = Assert.Throws<ExtractFileException>(() => CsvExtractReader.Read(path, utf8Feed).ToList());
        Assert.Contains("not valid utf-8", check.Message, StringComparison.Ordinal);
        Assert.Contains("not valid utf-8", read.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+52 834", "\"'+52 834\"")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"")]
    [InlineData("ANA", "\"ANA\"")]
    public void Rejected_rows_are_re_exported_with_formulas_neutralised(string value, string expected) =>
        Assert.Equal(expected, ExtractEndpoints.CsvCell(value));

    private string Write(string content, Encoding encoding)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllBytes(path, encoding.GetBytes(content));
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
