namespace Registry.Storage;

/// <summary>
/// <c>source_records.data</c> holds each row as the contract <c>SourceRow</c> was when it was
/// stored. Rows stored by older versions may lack members the contract now requires; SQL that
/// reads rows back for deserialisation merges them over these defaults (<c>Defaults || data</c>).
/// </summary>
public static class StoredRows
{
    public const string Defaults = """'{"RecordKey": "", "ContentHash": "", "RowNumber": 0}'::jsonb""";
}
