using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Feeds;
using Registry.Normalization;

namespace Registry.Ingest.Feeds;

/// <summary>One parsed data row: accepted (mapped to canonical fields) or rejected with its reason.</summary>
public readonly record struct ParsedRow(SourceRow? Accepted, RejectedRow? Rejected);

/// <summary>A fault of the whole file (unknown layout, missing column, bad bytes): nothing of it is applied.</summary>
public sealed class ExtractFileException(string message) : Exception(message);

/// <summary>
/// Where a CSV extract is parsed. Streams the file with CsvHelper using the feed's dialect,
/// maps its columns onto canonical fields, applies the feed's code lists, validates required
/// fields and dates, and yields one <see cref="ParsedRow"/> per data row (memory does not grow
/// with the file). File-level problems throw <see cref="ExtractFileException"/> with what to fix.
/// </summary>
public static class CsvExtractReader
{
    private static readonly string[] Delimiters = [",", ";", "|", "\t"];

    /// <summary>No canonical field is longer than this; a longer value is a broken row, not a name.</summary>
    public const int MaxFieldLength = 2_000;

    /// <summary>Rejected rows keep at most this much of their raw line (enough to find and fix it).</summary>
    public const int MaxRawLineKept = 8_192;

    /// <summary>
    /// File-level checks only — every byte decodes in the feed's encoding, the header has the
    /// required columns — without parsing rows: run before anything is sent, so a bad file applies nothing.
    /// </summary>
    public static void CheckFile(string path, FeedDefinition feed)
    {
        EnsureDecodable(path, TextEncodings.Resolve(feed.Csv.Encoding), feed.Csv.Encoding);
        using var csv = Open(path, feed);
        _ = ReadHeader(csv, feed);
    }

    /// <summary>Streams the data rows; file-level faults (see <see cref="CheckFile"/>) throw <see cref="ExtractFileException"/>.</summary>
    public static IEnumerable<ParsedRow> Read(string path, FeedDefinition feed)
    {
        using var csv = Open(path, feed);
        var (header, columns) = ReadHeader(csv, feed);
        var rowNumber = 0;
        while (ReadNext(csv, feed, rowNumber))
        {
            rowNumber++;
            yield return ParseRow(csv, rowNumber, header.Length, columns, feed);
        }
    }

    private static CsvReader Open(string path, FeedDefinition feed)
    {
        var reader = new StreamReader(path, TextEncodings.Resolve(feed.Csv.Encoding), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = feed.Csv.Delimiter,
            BadDataFound = null,
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
            TrimOptions = TrimOptions.None,
            IgnoreBlankLines = true,
        };
        return new CsvReader(reader, config);
    }

    private static (string[] Header, KeyValuePair<string, int>[] Columns) ReadHeader(CsvReader csv, FeedDefinition feed)
    {
        if (!ReadNext(csv, feed, 0) || !csv.ReadHeader() || csv.HeaderRecord is not { Length: > 0 } header || header.All(string.IsNullOrWhiteSpace))
            throw new ExtractFileException("The file is empty: it has no header row. Send the extract with its header line.");
        // Sorted by field name once, so each row's content hash is built in one pass in a stable order.
        return (header, [.. MapColumns(header, feed).OrderBy(c => c.Key, StringComparer.Ordinal)]);
    }

    private static bool ReadNext(CsvReader csv, FeedDefinition feed, int rowsRead)
    {
        try
        {
            return csv.Read();
        }
        catch (DecoderFallbackException)
        {
            throw new ExtractFileException(
                $"The file is not valid {feed.Csv.Encoding} (undecodable bytes after data row {rowsRead}). " +
                $"Save it as {feed.Csv.Encoding}, or ask for the feed's csv.encoding to be changed.");
        }
    }

    /// <summary>Reads the whole file through a strict decoder first, so bad bytes reject the extract before any row is applied.</summary>
    private static void EnsureDecodable(string path, Encoding encoding, string encodingName)
    {
        using var reader = new StreamReader(path, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var buffer = new char[1 << 16];
        long chars = 0;
        try
        {
            int n;
            while ((n = reader.Read(buffer, 0, buffer.Length)) > 0) chars += n;
        }
        catch (DecoderFallbackException)
        {
            throw new ExtractFileException(
                $"The file is not valid {encodingName} (undecodable bytes after about {chars:N0} characters). " +
                $"Save it as {encodingName}, or ask for the feed's csv.encoding to be changed.");
        }
    }

    private static Dictionary<string, int> MapColumns(string[] header, FeedDefinition feed)
    {
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++)
        {
            var name = header[i].Trim();
            if (name.Length == 0) continue;
            if (!index.TryAdd(name, i))
                throw new ExtractFileException($"The header has the column '{name}' twice (columns {index[name] + 1} and {i + 1}). Remove or rename one.");
        }

        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (field, names) in feed.Fields)
        {
            foreach (var name in names)
            {
                if (index.TryGetValue(name, out var i))
                {
                    columns[field] = i;
                    break;
                }
            }
        }

        var missing = feed.Required.Where(f => !columns.ContainsKey(f)).Select(f => $"'{feed.Fields[f][0]}' ({f})").ToList();
        if (missing.Count > 0)
        {
            var hint = header.Length == 1 && DetectOtherDelimiter(header[0], feed.Csv.Delimiter) is { } other
                ? $" The header has a single column: the file seems to use '{other}' as delimiter, but feed '{feed.Code}' expects '{Show(feed.Csv.Delimiter)}'."
                : "";
            throw new ExtractFileException(
                $"Missing required column(s) {string.Join(", ", missing)}. The header has: {string.Join(", ", header.Select(h => h.Trim()))}.{hint}");
        }
        return columns;
    }

    private static string? DetectOtherDelimiter(string headerCell, string expected) =>
        Delimiters.FirstOrDefault(d => d != expected && headerCell.Contains(d, StringComparison.Ordinal)) is { } d ? Show(d) : null;

    private static string Show(string delimiter) => delimiter == "\t" ? "tab" : delimiter;

    private static ParsedRow ParseRow(CsvReader csv, int rowNumber, int headerLength, KeyValuePair<string, int>[] columns, FeedDefinition feed)
    {
        var fieldCount = csv.Parser.Count;
        if (fieldCount != headerLength)
            return Reject(csv, rowNumber, $"the row has {fieldCount} fields but the header has {headerLength}");

        var values = new Dictionary<string, string?>(columns.Length, StringComparer.Ordinal);
        var content = new StringBuilder(256);
        foreach (var (field, i) in columns)
        {
            var value = csv.Parser[i]?.Trim();
            if (string.IsNullOrEmpty(value)) value = null;
            else if (value.Length > MaxFieldLength)
                return Reject(csv, rowNumber, $"{field} (column '{feed.Fields[field][0]}') is {value.Length:N0} characters long; the limit is {MaxFieldLength:N0}");
            else if (feed.Values.TryGetValue(field, out var codes) && codes.TryGetValue(value, out var mapped)) value = mapped;
            values[field] = value;
            content.Append(field).Append('=').Append(value).Append('\u001f');
        }

        foreach (var field in feed.Required)
        {
            if (values.GetValueOrDefault(field) is null)
                return Reject(csv, rowNumber, $"required field {field} (column '{feed.Fields[field][0]}') is empty");
        }

        // Dates only in the feed's declared formats (no guessing: 03/04 is ambiguous); a birth date in the future is refused.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        DateOnly? birth = null, service = null;
        if (values.GetValueOrDefault(CanonicalFields.BirthDate) is { } b)
        {
            var parsed = Dates.ParseBirthDate(b, feed.Csv.DateFormats, today, lenient: false);
            if (!parsed.Ok) return Reject(csv, rowNumber, DateError(CanonicalFields.BirthDate, b, parsed.Error, feed));
            birth = parsed.Date;
        }
        if (values.GetValueOrDefault(CanonicalFields.ServiceDate) is { } s)
        {
            var parsed = Dates.Parse(s, feed.Csv.DateFormats, today, lenient: false);
            if (!parsed.Ok) return Reject(csv, rowNumber, DateError(CanonicalFields.ServiceDate, s, parsed.Error, feed));
            service = parsed.Date;
        }

        string? V(string field) => values.GetValueOrDefault(field);
        var row = new SourceRow
        {
            RowNumber = rowNumber,
            RecordKey = string.Join('|', feed.RecordKey.Select(k => values.GetValueOrDefault(k)?.Replace("|", "||", StringComparison.Ordinal))),
            ContentHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content.ToString()))),
            AgencyPersonId = V(CanonicalFields.AgencyPersonId),
            Curp = V(CanonicalFields.Curp),
            GivenNames = V(CanonicalFields.GivenNames),
            PaternalSurname = V(CanonicalFields.PaternalSurname),
            MaternalSurname = V(CanonicalFields.MaternalSurname),
            Sex = V(CanonicalFields.Sex),
            BirthDate = birth,
            Phone = V(CanonicalFields.Phone),
            Street = V(CanonicalFields.Street),
            HouseNumber = V(CanonicalFields.HouseNumber),
            Colonia = V(CanonicalFields.Colonia),
            PostalCode = V(CanonicalFields.PostalCode),
            Municipality = V(CanonicalFields.Municipality),
            Poligono = V(CanonicalFields.Poligono),
            AgencyHouseholdId = V(CanonicalFields.AgencyHouseholdId),
            RelationshipToHead = V(CanonicalFields.RelationshipToHead),
            Programme = V(CanonicalFields.Programme),
            ServiceType = V(CanonicalFields.ServiceType),
            ServiceDate = service,
            ServiceStatus = V(CanonicalFields.ServiceStatus),
        };
        return new ParsedRow(row, null);
    }

    // The raw line is only materialised for rejected rows (accepted rows never need it).
    private static ParsedRow Reject(CsvReader csv, int rowNumber, string reason)
    {
        var raw = csv.Parser.RawRecord.TrimEnd('\r', '\n');
        if (raw.Length > MaxRawLineKept) raw = string.Concat(raw.AsSpan(0, MaxRawLineKept), $"… [{raw.Length:N0} characters]");
        return new(null, new RejectedRow(rowNumber, reason, raw));
    }

    private static string DateError(string field, string value, string? why, FeedDefinition feed) =>
        $"{field} '{value}' (column '{feed.Fields[field][0]}') is not a valid date in the feed's formats ({string.Join(", ", feed.Csv.DateFormats)}): {why}";
}
