using System.Diagnostics;
using Npgsql;
using Registry.Contracts;

namespace Registry.Resolution.Steps;

/// <summary>
/// Step 0, in canonical order (<see cref="ChunkResolver.ApplyInTurnAsync"/>): waits until every chunk before this one
/// is resolved — the chunks of every extract registered earlier (<c>extracts.seq</c>), then this
/// extract's chunks with a lower index (<c>TurnStep.sql</c>). A chunk's decisions depend on the registry it is decided
/// against (a borderline row joins the person an earlier chunk made, or makes it; the name frequencies and the
/// registry's size weigh its scores); in one order, the same extracts give the same persons whatever the number of
/// consumers, their timing, or a fault that redelivers chunks.
/// </summary>
/// <remarks>
/// It waits in place only while it can expect its turn soon: while chunks ahead get resolved, and — when more than
/// <see cref="NearWindow"/> are ahead, e.g. behind an extract still being read — only briefly, since it holds a
/// consumer slot a chunk it waits for may need. Otherwise it gives up and the caller puts the chunk back at the end of
/// the queue. The wait polls one indexed query, at most every <see cref="MaxPoll"/>.
/// </remarks>
internal static class TurnStep
{
    private static readonly string AheadSql = StepSql.Load("TurnStep.sql");

    /// <summary>Chunks ahead that count as "being resolved now": about the chunks in flight on the consumers.</summary>
    public const int NearWindow = 8;

    /// <summary>What an extract still being read counts for: more than any window.</summary>
    private const int Unparsed = 1_000_000;

    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan FarPatience = TimeSpan.FromSeconds(2);

    /// <summary>Waits until at most <paramref name="ahead"/> chunks are left before this one (0: its turn).</summary>
    /// <returns>True when they are; false when it gave up waiting (after <paramref name="patience"/> without progress).</returns>
    public static async Task<bool> WaitAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ResolveSourceRows chunk, TimeSpan patience,
        long ahead, CancellationToken ct)
    {
        using var span = ResolutionTelemetry.Step("turn-wait");
        await using var command = new NpgsqlCommand(AheadSql, connection, tx);
        command.Parameters.AddWithValue("extract", chunk.ExtractId);
        command.Parameters.AddWithValue("chunk", chunk.ChunkIndex);
        command.Parameters.AddWithValue("unparsed", Unparsed);
        var waited = Stopwatch.StartNew();
        var farPatience = patience < FarPatience ? patience : FarPatience;
        var sinceProgress = Stopwatch.StartNew();
        var poll = TimeSpan.FromMilliseconds(1);
        var left = await AheadAsync(command, ct);
        var fewest = left;
        span?.SetTag("registry.chunks_ahead", left);
        span?.SetTag("registry.waits_for", ahead);
        while (left > ahead)
        {
            if (left < fewest)
            {
                fewest = left;
                sinceProgress.Restart();
                poll = TimeSpan.FromMilliseconds(1);
            }
            if (sinceProgress.Elapsed > patience || (left > NearWindow && waited.Elapsed > farPatience))
            {
                span?.SetTag("registry.turn", "gave-up");
                return false;
            }
            await Task.Delay(poll, ct);
            poll = TimeSpan.FromTicks(Math.Min(MaxPoll.Ticks, poll.Ticks * 2));
            left = await AheadAsync(command, ct);
        }
        span?.SetTag("registry.turn", ahead == 0 ? "now" : "near");
        return true;
    }

    private static async Task<long> AheadAsync(NpgsqlCommand command, CancellationToken ct) => (long)(await command.ExecuteScalarAsync(ct))!;
}
