using NpgsqlTypes;
using Npgsql;
using Registry.Persons;

namespace Registry.Resolution.Steps;

/// <summary>Values as the binary COPY into the staging tables writes them (<see cref="StagingStep"/>, <see cref="IdentityLedgerStep"/>).</summary>
internal static class StagingCopy
{
    /// <summary>A golden record as the staging tables hold it: document, display columns, anchor, and the restricted view.</summary>
    public static async Task WriteGoldenAsync(NpgsqlBinaryImporter writer, GoldenWrite golden, CancellationToken ct)
    {
        await writer.WriteAsync(golden.Document, NpgsqlDbType.Json, ct);
        foreach (var value in golden.Display) await Nullable(writer, value, ct);
        if (golden.Anchor is { } anchor) await writer.WriteAsync(anchor, NpgsqlDbType.Uuid, ct);
        else await writer.WriteNullAsync(ct);
        await writer.WriteAsync(golden.Restricted.View, NpgsqlDbType.Text, ct);
        if (golden.Restricted.Document is { } restricted) await writer.WriteAsync(restricted, NpgsqlDbType.Json, ct);
        else await writer.WriteNullAsync(ct);
        await writer.WriteAsync(golden.Restricted.NameSeen, NpgsqlDbType.Boolean, ct);
    }

    public static async Task WriteNoGoldenAsync(NpgsqlBinaryImporter writer, CancellationToken ct)
    {
        for (var c = 0; c < 1 + GoldenRecordWriter.Display.Count + 1 + 3; c++) await writer.WriteNullAsync(ct); // document, display, anchor, restricted
    }

    public static Task Nullable(NpgsqlBinaryImporter writer, string? value, CancellationToken ct) =>
        value is null ? writer.WriteNullAsync(ct) : writer.WriteAsync(value, NpgsqlDbType.Text, ct);

    public static Task Nullable(NpgsqlBinaryImporter writer, DateOnly? value, CancellationToken ct) =>
        value is { } d ? writer.WriteAsync(d, NpgsqlDbType.Date, ct) : writer.WriteNullAsync(ct);
}
