using System.Globalization;
using System.Text.Json;
using Registry.Feeds;

namespace Registry.Ingest.Feeds;

/// <summary>What a page says about where the pull goes next.</summary>
/// <param name="Records">Records on the page.</param>
/// <param name="NextCursor">Page token of the next page, or the newest <c>updatedAt</c> on the page (updated-since); null when there is none.</param>
/// <param name="Last">No page follows in this run.</param>
public sealed record ApiPage(int Records, string? NextCursor, bool Last);

/// <summary>
/// Where a pulled API page is read. A page is one JSON object whose items array holds one
/// record per row; item properties (dotted paths for nested objects) map onto canonical fields
/// and go through <see cref="SourceRowMapper"/> like CSV columns. A page that is not JSON, has no
/// items array, or cannot say where the next page starts is malformed as a whole
/// (<see cref="ExtractFileException"/>): none of it is applied and the cursor does not move past it.
/// </summary>
public static class ApiPageReader
{
    /// <summary>Checks the page's structure and returns where the pull continues; <paramref name="cursor"/> is the cursor the page was requested with.</summary>
    public static ApiPage CheckPage(string path, FeedDefinition feed, string? cursor)
    {
        var api = feed.Api ?? throw new InvalidOperationException($"Feed '{feed.Code}' is not an api-pull feed.");
        using var document = Open(path);
        var items = Items(document, api);
        var count = items.GetArrayLength();
        if (api.Paging == ApiPaging.PageToken)
        {
            string? next = null;
            if (document.RootElement.TryGetProperty(api.NextPageTokenProperty, out var token))
            {
                next = token.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.String => token.GetString() is { Length: > 0 } t ? t : null,
                    _ => throw new ExtractFileException(
                        $"The page's '{api.NextPageTokenProperty}' is a {token.ValueKind}, not a string or null: the next page cannot be requested."),
                };
            }
            if (next is not null && next == cursor)
                throw new ExtractFileException(
                    $"The page names its own token '{next}' as the next page ('{api.NextPageTokenProperty}'): pulling on would loop.");
            return new ApiPage(count, next, next is null);
        }

        // updated-since: the cursor moves to the newest modification time on the page, so every record
        // must carry one; the original text is kept and sent back verbatim.
        string? newest = null;
        var newestValue = DateTimeOffset.MinValue;
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            index++;
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty(api.UpdatedAtProperty, out var stamp) ||
                stamp.ValueKind != JsonValueKind.String ||
                !DateTimeOffset.TryParse(stamp.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
            {
                throw new ExtractFileException(
                    $"Record {index} of the page has no valid '{api.UpdatedAtProperty}' timestamp (ISO 8601): the pull cannot tell where to continue.");
            }
            if (value > newestValue)
            {
                newestValue = value;
                newest = stamp.GetString();
            }
        }
        return new ApiPage(count, newest ?? cursor, count < api.PageSize);
    }

    /// <summary>Yields one parsed row per record of the page (row numbers from 1, in page order).</summary>
    public static IEnumerable<ParsedRow> Read(string path, FeedDefinition feed)
    {
        var api = feed.Api ?? throw new InvalidOperationException($"Feed '{feed.Code}' is not an api-pull feed.");
        using var document = Open(path);
        var items = Items(document, api);
        // Slot i of a row is field i's property paths (aliases tried in order), fields sorted by name.
        var fields = feed.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).ToArray();
        var slots = fields.Select((f, i) => new FieldSlot(f.Key, i)).ToArray();
        var paths = fields.Select(f => f.Value.Select(p => p.Split('.')).ToArray()).ToArray();
        var rowNumber = 0;
        foreach (var item in items.EnumerateArray())
        {
            rowNumber++;
            var row = new JsonRow(item, paths);
            yield return item.ValueKind == JsonValueKind.Object
                ? SourceRowMapper.Map(row, rowNumber, slots, feed, "property")
                : SourceRowMapper.Reject(row, rowNumber, $"the record is a JSON {item.ValueKind}, not an object");
        }
    }

    private static JsonDocument Open(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            throw new ExtractFileException(
                $"The page is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {ex.Message.Split(" Path:", 2)[0]}");
        }
    }

    private static JsonElement Items(JsonDocument document, ApiPullSettings api)
    {
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new ExtractFileException($"The page is a JSON {document.RootElement.ValueKind}, not an object with an '{api.ItemsProperty}' array.");
        if (!document.RootElement.TryGetProperty(api.ItemsProperty, out var items) || items.ValueKind != JsonValueKind.Array)
            throw new ExtractFileException($"The page has no '{api.ItemsProperty}' array of records.");
        return items;
    }

    private readonly struct JsonRow(JsonElement item, string[][][] paths) : IRowValues
    {
        public string? Value(int slot)
        {
            foreach (var path in paths[slot])
            {
                if (Find(item, path) is { } value)
                {
                    return value.ValueKind switch
                    {
                        JsonValueKind.Null or JsonValueKind.Undefined => null,
                        JsonValueKind.String => value.GetString(),
                        _ => value.GetRawText(),
                    };
                }
            }
            return null;
        }

        public string RawLine() => item.GetRawText();

        private static JsonElement? Find(JsonElement element, string[] path)
        {
            foreach (var name in path)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element)) return null;
            }
            return element;
        }
    }
}
