using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Registry.Feeds;

namespace Registry.Ingest.Feeds;

/// <summary>
/// Where a CSV extract is parsed. Streams the file with CsvHelper using the feed's dialect,
/// maps its columns onto canonical fields and hands each record to <see cref="SourceRowMapper"/>
/// (code lists, required fields, dates — shared with API pages), yielding one <see cref="ParsedRow"/>
/// per data row (memory does not grow with the file). File-level problems throw <see cref="ExtractFileException"/> with what to fix.
/// </summary>
public static class CsvExtractReader
{
    private static readonly string[] Delimiters = [",", ";", "|", "\t"];

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
    /// <param name="progress">When given, counts the bytes of the file read so far (a running extract's progress).</param>
    public static IEnumerable<ParsedRow> Read(string path, FeedDefinition feed, ParseProgress? progress = null)
    {
        using var csv = Open(path, feed, progress);
        var (header, columns) = ReadHeader(csv, feed);
        var rowNumber = 0;
        while (ReadNext(csv, feed, rowNumber))
        {
            rowNumber++;
            yield return ParseRow(csv, rowNumber, header.Length, columns, feed);
        }
    }

    private static CsvReader Open(string path, FeedDefinition feed, ParseProgress? progress = null)
    {
        Stream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (progress is not null) file = new CountingStream(file, progress);
        var reader = new StreamReader(file, TextEncodings.Resolve(feed.Csv.Encoding), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
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

    private static (string[] Header, FieldSlot[] Columns) ReadHeader(CsvReader csv, FeedDefinition feed)
    {
        if (!ReadNext(csv, feed, 0) || !csv.ReadHeader() || csv.HeaderRecord is not { Length: > 0 } header || header.All(string.IsNullOrWhiteSpace))
            throw new ExtractFileException("The file is empty: it has no header row. Send the extract with its header line.");
        // Sorted by field name once, so each row's content hash is built in one pass in a stable order.
        return (header, [.. MapColumns(header, feed).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new FieldSlot(c.Key, c.Value))]);
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

    private static ParsedRow ParseRow(CsvReader csv, int rowNumber, int headerLength, FieldSlot[] columns, FeedDefinition feed)
    {
        var row = new CsvRow(csv);
        var fieldCount = csv.Parser.Count;
        if (fieldCount != headerLength)
            return SourceRowMapper.Reject(row, rowNumber, $"the row has {fieldCount} fields but the header has {headerLength}");
        return SourceRowMapper.Map(row, rowNumber, columns, feed, "column");
    }

    /// <summary>A read-only pass-through that counts bytes as the reader pulls them (granularity: its buffer).</summary>
    private sealed class CountingStream(Stream inner, ParseProgress progress) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        private int Count(int n)
        {
            progress.BytesRead += n;
            return n;
        }
    }

    private readonly struct CsvRow(CsvReader csv) : IRowValues
    {
        public string? Value(int slot) => csv.Parser[slot];

        public string RawLine() => csv.Parser.RawRecord;
    }
}
