using Npgsql;

namespace Registry.Resolution.Steps;

/// <summary>The steps' SQL: each step's statements live in <c>Steps/&lt;Step&gt;.*.sql</c>, embedded in the assembly.</summary>
internal static class StepSql
{
    /// <summary>The text of <c>Steps/<paramref name="file"/></c>.</summary>
    public static string Load(string file)
    {
        using var stream = typeof(StepSql).Assembly.GetManifestResourceStream("Registry.Resolution.Steps." + file)
            ?? throw new InvalidOperationException($"Resolution/Steps/{file} is not embedded in the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().TrimEnd();
    }

    /// <summary>
    /// <paramref name="sql"/> with its <c>/*frequency-terms*/</c> marker replaced by <c>FrequencyTerms.sql</c>: the terms the
    /// registry counts, kept in one place for the count made before the lock and the one made under it.
    /// </summary>
    public static string WithFrequencyTerms(string sql) => sql.Replace("/*frequency-terms*/", FrequencyTerms.Value, StringComparison.Ordinal);

    private static readonly Lazy<string> FrequencyTerms = new(() => Load("FrequencyTerms.sql"));

    public static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The first column of the first row <paramref name="sql"/> returns.</summary>
    public static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteScalarAsync(ct);
    }
}
