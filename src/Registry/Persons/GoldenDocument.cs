using System.Text.Json;

namespace Registry.Persons;

/// <summary>
/// The stored form of a golden record (persons.golden, persons.restricted_golden), and the SQL that reads it — the one
/// place that knows the format:
/// <c>{"sources": ["&lt;source record id&gt;", …], "&lt;field&gt;": ["&lt;value&gt;", &lt;index into sources&gt;, "&lt;rule&gt;"], …}</c>.
/// Each source record a field survived from is named once (most persons have one record, and an id repeated in every
/// field was half of a person's row), fields in survivorship's order.
/// </summary>
public static class GoldenDocument
{
    /// <summary>The key of the list of source record ids; never a field's name.</summary>
    public const string Sources = "sources";

    /// <summary>The document of <paramref name="fields"/>, written directly (it is computed for every row of every chunk).</summary>
    public static string Write(IReadOnlyList<GoldenField> fields) => Storage.JsonText.Write(fields, static (json, fields) =>
    {
        Span<Guid> ids = stackalloc Guid[fields.Count];
        var count = 0;
        json.WriteStartObject();
        json.WriteStartArray(Sources);
        foreach (var f in fields)
        {
            if (ids[..count].Contains(f.SourceRecordId)) continue;
            ids[count++] = f.SourceRecordId;
            json.WriteStringValue(f.SourceRecordId);
        }
        json.WriteEndArray();
        foreach (var f in fields)
        {
            json.WriteStartArray(f.Field);
            json.WriteStringValue(f.Value);
            json.WriteNumberValue(ids[..count].IndexOf(f.SourceRecordId));
            json.WriteStringValue(f.Rule);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    });

    /// <summary>The fields of a stored document, in their order.</summary>
    /// <exception cref="FormatException">The text is not a golden document.</exception>
    public static List<GoldenField> Parse(string document)
    {
        using var json = JsonDocument.Parse(document);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(Sources, out var sources) || sources.ValueKind != JsonValueKind.Array)
            throw new FormatException("A golden document is an object with a \"sources\" array.");
        var ids = new Guid[sources.GetArrayLength()];
        for (var i = 0; i < ids.Length; i++) ids[i] = sources[i].GetGuid();
        var fields = new List<GoldenField>(13);
        foreach (var f in root.EnumerateObject())
        {
            if (f.Name == Sources) continue;
            fields.Add(new GoldenField(f.Name, f.Value[0].GetString() ?? "", ids[f.Value[1].GetInt32()], f.Value[2].GetString() ?? ""));
        }
        return fields;
    }

    /// <summary>SQL text: the value of <paramref name="field"/> (a constant, never user input) in the json document <paramref name="document"/>.</summary>
    public static string ValueSql(string document, string field) => $"({document} -> '{field}' ->> 0)";

    /// <summary>SQL uuid: the source record <paramref name="field"/> survived from in <paramref name="document"/>.</summary>
    public static string SourceSql(string document, string field) =>
        $"(({document} -> '{Sources}' ->> ({document} -> '{field}' ->> 1)::int)::uuid)";

    /// <summary>SQL uuid: the first source record named in <paramref name="document"/> (every field's, when <see cref="SourceCountSql"/> is 1).</summary>
    public static string FirstSourceSql(string document) => $"(({document} -> '{Sources}' ->> 0)::uuid)";

    /// <summary>SQL set-returning expression: every source record some field of <paramref name="document"/> survived from.</summary>
    public static string SourcesSql(string document) => $"(json_array_elements_text({document} -> '{Sources}')::uuid)";

    /// <summary>SQL integer: how many source records the fields of <paramref name="document"/> survived from.</summary>
    public static string SourceCountSql(string document) => $"json_array_length({document} -> '{Sources}')";
}
