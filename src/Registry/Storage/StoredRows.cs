using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Registry.Contracts;

namespace Registry.Storage;

/// <summary>
/// <c>source_records.data</c> holds each row as the contract <c>SourceRow</c> was when it was
/// stored, written with <see cref="Json"/>: fields the agency left empty are absent rather than
/// null (half the size of a typical row, and so half the parsing on every insert); <c>data ->> 'X'</c>
/// reads NULL either way. What the record's columns hold is not repeated (<see cref="InColumns"/>). Rows stored by
/// older versions may lack members the contract now requires: <see cref="Read"/> gives them their defaults (<c>""</c>, 0),
/// in .NET rather than by merging a default document over each row in SQL (a third of the golden refresh's read).
/// </summary>
public static class StoredRows
{
    /// <summary>
    /// Members of a row kept in source_records' columns (row_number, record_key, content_hash), not in its data: a stored
    /// row read back has them as their defaults, and a reader that needs them reads the columns.
    /// </summary>
    public static readonly IReadOnlySet<string> InColumns = new HashSet<string>(StringComparer.Ordinal)
    {
        nameof(SourceRow.RowNumber), nameof(SourceRow.RecordKey), nameof(SourceRow.ContentHash),
    };

    /// <summary>
    /// How a row is serialised into <c>source_records.data</c>: without the members the record's own columns hold
    /// (<see cref="InColumns"/>) — a SHA-256 in hex and a key repeated in every row.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                static info =>
                {
                    if (info.Type != typeof(SourceRow)) return;
                    foreach (var property in info.Properties)
                        if (InColumns.Contains(property.Name)) property.ShouldSerialize = static (_, _) => false;
                },
            },
        },
    };

    // Reading: no member is required (an older row may lack one); the missing ones are defaulted below.
    private static readonly JsonSerializerOptions ReadOptions = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers = { static info => { foreach (var property in info.Properties) property.IsRequired = false; } },
        },
    };

    /// <summary>A stored row (<c>data::text</c>, as UTF-8 bytes or a string), members it lacks as their defaults.</summary>
    public static SourceRow Read(ReadOnlySpan<byte> utf8)
    {
        var row = JsonSerializer.Deserialize<SourceRow>(utf8, ReadOptions)!;
        // Deserialised without them, the required strings of an older row are null despite their type.
        return row.RecordKey is null || row.ContentHash is null
            ? row with { RecordKey = row.RecordKey ?? "", ContentHash = row.ContentHash ?? "" }
            : row;
    }

    /// <inheritdoc cref="Read(ReadOnlySpan{byte})"/>
    public static SourceRow Read(string json) => Read(System.Text.Encoding.UTF8.GetBytes(json));

    /// <summary>A stored row whole: its data with what the record's columns hold (<see cref="InColumns"/>) put back.</summary>
    public static SourceRow Read(string json, int rowNumber, string recordKey, string contentHash) =>
        Read(json) with { RowNumber = rowNumber, RecordKey = recordKey, ContentHash = contentHash };
}
