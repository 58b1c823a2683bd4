using System.Text.Json;
using System.Text.Json.Serialization;

namespace Registry.Storage;

/// <summary>
/// <c>source_records.data</c> holds each row as the contract <c>SourceRow</c> was when it was
/// stored, written with <see cref="Json"/>: fields the agency left empty are absent rather than
/// null (half the size of a typical row, and so half the parsing on every insert); <c>data ->> 'X'</c>
/// reads NULL either way. Rows stored by older versions may lack members the contract now requires;
/// SQL that reads rows back for deserialisation merges them over these defaults (<c>Defaults || data</c>).
/// </summary>
public static class StoredRows
{
    public const string Defaults = """'{"RecordKey": "", "ContentHash": "", "RowNumber": 0}'::jsonb""";

    /// <summary>How a row is serialised into <c>source_records.data</c>.</summary>
    public static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
