using System.Globalization;
using System.Text;
using Registry.Feeds;

namespace Registry.SyntheticPopulation;

/// <summary>One service row of an agency extract before formatting: who (as the agency typed them) and what.</summary>
public sealed record ExtractRow(
    string AgencyPersonId,
    string AgencyHouseholdId,
    Person Person,
    ReportedIdentity Identity,
    ServiceKind Service,
    DateOnly ServiceDate,
    string Status,
    int Sequence);

/// <summary>
/// Writes rows in the exact CSV dialect of a feed definition (deploy/feeds/*.json): its column
/// names (the first alias of each canonical field, in the definition's order), delimiter, encoding,
/// first date format, and its own code for sex (the key of its value list that maps to H or M).
/// Driven by the definition, so any csv-drop feed can be generated without code of its own.
/// </summary>
public sealed class ExtractWriter
{
    private readonly FeedDefinition _feed;
    private readonly string[] _fields;
    private readonly Encoding _encoding;
    private readonly string _dateFormat;
    private readonly string _newline;

    public ExtractWriter(FeedDefinition feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        if (feed.Kind != FeedKinds.CsvDrop) throw new ArgumentException($"feed {feed.Code} is {feed.Kind}, not csv-drop", nameof(feed));
        _feed = feed;
        _fields = [.. feed.Fields.Keys];
        _encoding = TextEncodings.Resolve(feed.Csv.Encoding);
        _dateFormat = feed.Csv.DateFormats[0];
        // Desktop (Windows-1252) exports end lines with CRLF; the others with LF.
        _newline = feed.Csv.Encoding.Equals("windows-1252", StringComparison.OrdinalIgnoreCase) ? "\r\n" : "\n";
    }

    public void Write(string path, IEnumerable<ExtractRow> rows)
    {
        using var stream = File.Create(path);
        using var writer = new StreamWriter(stream, _encoding) { NewLine = _newline };
        writer.WriteLine(string.Join(_feed.Csv.Delimiter, _fields.Select(f => Quote(_feed.Fields[f][0]))));
        foreach (var row in rows)
            writer.WriteLine(string.Join(_feed.Csv.Delimiter, _fields.Select(f => Quote(Value(f, row) ?? ""))));
    }

    private string? Value(string field, ExtractRow row)
    {
        var id = row.Identity;
        var p = row.Person;
        return field switch
        {
            "agency_person_id" => row.AgencyPersonId,
            "curp" => id.Curp,
            "given_names" => id.GivenNames,
            "paternal_surname" => id.Paternal,
            "maternal_surname" => id.Maternal,
            // One full-name column, in the order the feed declares ("LOPEZ CANTU MARIA" or "MARIA LOPEZ CANTU").
            "full_name" => string.Join(' ', (_feed.FullNameOrder == FullNameOrders.SurnamesFirst
                    ? new[] { id.Paternal, id.Maternal, id.GivenNames }
                    : new[] { id.GivenNames, id.Paternal, id.Maternal }).Where(w => !string.IsNullOrWhiteSpace(w))),
            "sex" => SexCode(id.Sex),
            "birth_date" => id.BirthDate is { } b ? Date(b) : null,
            "phone" => id.Phone,
            "street" => id.Street,
            "house_number" => id.HouseNumber,
            "colonia" => id.Colonia.StartsWith("COL", StringComparison.Ordinal) ? id.Colonia : "COL. " + id.Colonia,
            "barrio" => id.Colonia,
            "comuna" or "corregimiento" => p.Poligono,
            "document_type" => id.DocumentType is null ? null : DocumentTypeCode(id.DocumentType),
            "document_number" => id.DocumentNumber,
            "postal_code" => id.PostalCode,
            "municipality" => id.Municipality,
            "poligono" => p.Poligono,
            "agency_household_id" => row.AgencyHouseholdId,
            "relationship_to_head" => p.Relationship switch
            {
                Relationship.Head => p.Sex == 'M' ? "JEFA" : "JEFE",
                Relationship.Spouse => "CONYUGE",
                _ => p.Sex == 'M' ? "HIJA" : "HIJO",
            },
            "programme" => row.Service.Programme,
            "service_type" => row.Service.ServiceType,
            "service_date" => Date(row.ServiceDate),
            "service_status" => row.Status,
            _ => null,
        };
    }

    // The feed's own code for a document type (its code list), else the type's name as forms print it.
    private string DocumentTypeCode(string type)
    {
        if (_feed.Values.TryGetValue("document_type", out var codes))
        {
            if (codes.TryGetValue(type, out var same) && same == type) return type;
            foreach (var (code, value) in codes) if (value == type) return code;
        }
        return type switch
        {
            "CC" => "Cédula de ciudadanía",
            "TI" => "Tarjeta de identidad",
            "RC" => "Registro civil",
            _ => type,
        };
    }

    private string SexCode(char sex)
    {
        var letter = sex.ToString();
        if (!_feed.Values.TryGetValue("sex", out var codes)) return letter;
        if (codes.TryGetValue(letter, out var same) && same == letter) return letter;
        foreach (var (code, value) in codes) if (value == letter) return code;
        return letter;
    }

    private string Date(DateOnly date) =>
        _dateFormat == "excel"
            ? (date.DayNumber - new DateOnly(1899, 12, 30).DayNumber).ToString(CultureInfo.InvariantCulture)
            : date.ToString(_dateFormat, CultureInfo.InvariantCulture);

    private string Quote(string value) =>
        value.Contains(_feed.Csv.Delimiter, StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal)
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
}
