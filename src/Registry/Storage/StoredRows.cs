using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Registry.Contracts;

namespace Registry.Storage;

/// <summary>
/// <c>source_records.data</c> holds each row as the contract <c>SourceRow</c> was when it was
/// stored, written with <see cref="Json"/>: fields the agency left empty are absent rather than
/// null (half the size of a typical row, and so half the parsing on every insert); <c>data ->> 'X'</c>
/// reads NULL either way. Rows stored by older versions may lack members the contract now requires:
/// <see cref="Read"/> gives them their defaults (<c>""</c>, 0), in .NET rather than by merging a
/// default document over each row in SQL (a third of the golden refresh's read).
/// </summary>
public static class StoredRows
{
    /// <summary>How a row is serialised into <c>source_records.data</c>.</summary>
    public static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    // Reading: no member is required (an older row may lack one); the missing ones are defaulted below.
    private static readonly JsonSerializerOptions ReadOptions = new(Json)
    {
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
}
