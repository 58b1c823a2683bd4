using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Registry.Storage;

namespace Registry.Api.Access;

/// <summary>The outcome of a verification: intact (entries, head), or the first broken link (entry id and what is wrong).</summary>
public sealed record AccessLogVerification(long Entries, long HeadSeq, string HeadHash, long? BrokenId = null, string? Problem = null)
{
    public bool Intact => Problem is null;
}

/// <summary>
/// Recomputes the access log's hash chain here, in C#, from the entries' own
/// columns, without trusting any function of the database it checks; names the first broken link.
/// A superuser can still rewrite the whole chain consistently: an auditor who records the head
/// (the printed "#seq hash") and passes it later with <c>--expect</c> detects that too.
/// </summary>
public static class AccessLogVerifier
{
    private static readonly byte[] Genesis = new byte[32];

    public static async Task<AccessLogVerification> VerifyAsync(NpgsqlDataSource db, (long Seq, string Hash)? expect = null, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var previous = Genesis;
        long expectedSeq = 1, entries = 0;
        long? lastId = null;
        bool expectSeen = expect is null;
        await using (var command = new NpgsqlCommand(
            """
            SELECT id, at, subject, role, agency_code, kind, target_id, purpose, detail, returned_ids, seq, prev_hash, hash
              FROM access_log ORDER BY seq NULLS LAST, id
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetInt64(0);
                AccessLogVerification Broken(string problem) => new(entries, expectedSeq - 1, Convert.ToHexStringLower(previous), id, problem);
                if (reader.IsDBNull(10) || reader.IsDBNull(12))
                    return Broken("has no place in the chain (written while the chain trigger was disabled)");
                var seq = reader.GetInt64(10);
                if (seq > expectedSeq)
                    return Broken(seq == expectedSeq + 1
                        ? $"is entry #{seq} but follows #{expectedSeq - 1}: entry #{expectedSeq} is missing (deleted)"
                        : $"is entry #{seq} but follows #{expectedSeq - 1}: entries #{expectedSeq}–#{seq - 1} are missing (deleted)");
                if (seq < expectedSeq) return Broken($"repeats chain position #{seq}");
                var recordedPrevious = reader.IsDBNull(11) ? [] : reader.GetFieldValue<byte[]>(11);
                if (!recordedPrevious.AsSpan().SequenceEqual(previous))
                    return Broken("does not follow the entry before it (its recorded previous hash differs: that entry was replaced)");
                var recorded = reader.GetFieldValue<byte[]>(12);
                var computed = Link(previous, Canonical(reader));
                if (!computed.AsSpan().SequenceEqual(recorded))
                    return Broken("was changed after it was written (its content no longer matches its hash)");
                if (expect is { } e && e.Seq == seq)
                {
                    if (!string.Equals(e.Hash, Convert.ToHexStringLower(recorded), StringComparison.OrdinalIgnoreCase))
                        return Broken($"does not carry the recorded head hash {e.Hash}: the chain up to #{seq} was rewritten");
                    expectSeen = true;
                }
                previous = recorded;
                expectedSeq = seq + 1;
                entries++;
                lastId = id;
            }
        }

        var head = Convert.ToHexStringLower(previous);
        if (!expectSeen)
            return new AccessLogVerification(entries, expectedSeq - 1, head, lastId, $"the recorded head #{expect!.Value.Seq} is beyond the last entry #{expectedSeq - 1}: entries are missing");
        if (await ChainHeadAsync(connection, ct) is { } stored)
        {
            if (stored.Seq > expectedSeq - 1)
                return new AccessLogVerification(entries, expectedSeq - 1, head, lastId,
                    $"is the last entry (#{expectedSeq - 1}) but the chain head is at #{stored.Seq}: the newest entries are missing (deleted)");
            if (stored.Seq == expectedSeq - 1 && !stored.Hash.AsSpan().SequenceEqual(previous))
                return new AccessLogVerification(entries, expectedSeq - 1, head, lastId, "is the last entry but its hash differs from the chain head's");
        }
        return new AccessLogVerification(entries, expectedSeq - 1, head);
    }

    /// <summary>The head the database keeps, when this connection may read it (the API's role may; others may not).</summary>
    private static async Task<(long Seq, byte[] Hash)?> ChainHeadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT seq, hash FROM access_log_chain_head", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)) : null;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            return null;
        }
    }

    private static byte[] Link(byte[] previous, byte[] canonical)
    {
        var buffer = new byte[previous.Length + canonical.Length];
        previous.CopyTo(buffer, 0);
        canonical.CopyTo(buffer, previous.Length);
        return SHA256.HashData(buffer);
    }

    /// <summary>The entry's canonical form, as the database's access_log_canonical defines it (length-prefixed fields, '-' for null).</summary>
    private static byte[] Canonical(NpgsqlDataReader r)
    {
        var text = new StringBuilder("registry-access-log/1;");
        Field(text, r.GetInt64(0).ToString(CultureInfo.InvariantCulture));
        var at = r.GetFieldValue<DateTime>(1);
        Field(text, ((at.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond).ToString(CultureInfo.InvariantCulture));
        for (var column = 2; column <= 5; column++) Field(text, r.IsDBNull(column) ? null : r.GetString(column));
        Field(text, r.IsDBNull(6) ? null : r.GetGuid(6).ToString("D"));
        Field(text, r.IsDBNull(7) ? null : r.GetString(7));
        Field(text, r.IsDBNull(8) ? null : r.GetString(8));
        Field(text, r.IsDBNull(9) ? null : string.Join(',', r.GetFieldValue<Guid[]>(9).Select(g => g.ToString("D"))));
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void Field(StringBuilder text, string? value)
    {
        if (value is null) text.Append("-;");
        else text.Append(Encoding.UTF8.GetByteCount(value).ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append(';');
    }

    /// <summary>
    /// <c>dotnet Registry.Api.dll verify-access-log [--expect SEQ:HASH]</c> on ConnectionStrings:Registry:
    /// prints the result; exit code 0 intact, 1 broken, 2 when it could not check.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output)
    {
        (long, string)? expect = null;
        var at = Array.IndexOf(args, "--expect");
        if (at >= 0)
        {
            var parts = at + 1 < args.Length ? args[at + 1].TrimStart('#').Split(':', 2) : [];
            if (parts.Length != 2 || !long.TryParse(parts[0], CultureInfo.InvariantCulture, out var seq) || parts[1].Length != 64)
            {
                await output.WriteLineAsync("--expect takes the head printed by an earlier run: SEQ:HASH (e.g. 1200:9f86d0…, 64 hex digits).");
                return 2;
            }
            expect = (seq, parts[1]);
        }
        try
        {
            await using var db = NpgsqlDataSource.Create(RegistryStorage.RequireConnectionString(configuration));
            var result = await VerifyAsync(db, expect);
            await output.WriteLineAsync(result.Intact
                ? $"Access log intact: {result.Entries} entries; head #{result.HeadSeq} {result.HeadHash} (record it; check later with --expect {result.HeadSeq}:{result.HeadHash})"
                : $"Access log BROKEN at entry id {result.BrokenId}: it {result.Problem}. Intact before it: {result.Entries} " +
                  $"entr{(result.Entries == 1 ? "y" : "ies")}, up to #{result.HeadSeq} {result.HeadHash}.");
            return result.Intact ? 0 : 1;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            await output.WriteLineAsync($"Could not verify the access log: {e.Message}");
            return 2;
        }
    }
}
