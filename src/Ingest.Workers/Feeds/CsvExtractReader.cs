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
/// Memory stays bounded whatever arrives: a field may hold at most <see cref="MaxFieldChars"/> characters
/// and a line <see cref="MaxLineChars"/> — past either the file is rejected whole, since an unterminated
/// quote would otherwise make the parser buffer the rest of the file as one field.
/// </summary>
public static class CsvExtractReader
{
    /// <summary>
    /// The longest field the parser will buffer. Far above any real value (a value over 2,000 characters
    /// already rejects its row, <see cref="SourceRowMapper"/>), so only a broken file reaches it.
    /// </summary>
    public const int MaxFieldChars = 16 * 1024 * 1024;

    /// <summary>The longest physical line: a longest field plus an ordinary row around it.</summary>
    public const int MaxLineChars = MaxFieldChars + 1024 * 1024;

    private static readonly string[] Delimiters = [",", ";", "|", "\t"];

    /// <summary>
    /// File-level checks — every byte decodes in the feed's encoding, the header has the required
    /// columns, no field or line is beyond the bounds — in one pass that splits rows without mapping
    /// them: run before anything is sent, so a bad file applies nothing.
    /// </summary>
    public static void CheckFile(string path, FeedDefinition feed)
    {
        using var csv = Open(path, feed);
        _ = ReadHeader(csv, feed);
        var rows = 0;
        while (ReadNext(csv, feed, rows)) rows++;
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
        var reader = new LineBoundedReader(
            new StreamReader(file, TextEncodings.Resolve(feed.Csv.Encoding), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16), MaxLineChars);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            MaxFieldSize = MaxFieldChars,
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
        var linesBefore = csv.Parser.RawRow;
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
        catch (MaxFieldSizeException)
        {
            throw new ExtractFileException(
                $"Data row {rowsRead + 1} (from line {linesBefore + 1}) has a field longer than {MaxFieldChars:N0} characters — an unterminated quote? " +
                "Close the quote (a quote inside a quoted field is written twice) and send the file again; nothing of this file was applied.");
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

    /// <summary>
    /// Refuses a physical line longer than the bound before the parser buffers it: a field is bounded by
    /// <see cref="MaxFieldChars"/>, but a line of countless short fields (no line breaks at all) would not be.
    /// </summary>
    private sealed class LineBoundedReader(TextReader inner, int maxLineChars) : TextReader
    {
        private long _line = 1;
        private long _sinceBreak;

        public override int Read(char[] buffer, int index, int count) => Check(buffer.AsSpan(index, inner.Read(buffer, index, count)));

        public override int Read(Span<char> buffer) => Check(buffer[..inner.Read(buffer)]);

        public override int Read()
        {
            var c = inner.Read();
            if (c >= 0) Check([(char)c]);
            return c;
        }

        public override int Peek() => inner.Peek();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        private int Check(ReadOnlySpan<char> chunk)
        {
            var rest = chunk;
            while (true)
            {
                var at = rest.IndexOfAny('\n', '\r');
                if (_sinceBreak + (at < 0 ? rest.Length : at) > maxLineChars)
                    throw new ExtractFileException(
                        $"Line {_line} is longer than {maxLineChars:N0} characters — a file without line breaks, or not a CSV file? " +
                        "Send the extract with one row per line; nothing of this file was applied.");
                if (at < 0)
                {
                    _sinceBreak += rest.Length;
                    return chunk.Length;
                }
                if (rest[at] == '\n') _line++;
                _sinceBreak = 0;
                rest = rest[(at + 1)..];
            }
        }
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
