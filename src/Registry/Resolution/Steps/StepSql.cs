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
