using MassTransit;
using Registry.Contracts;
using Registry.Extracts;

namespace Registry.Ingest.Resolution;

/// <summary>
/// A chunk that failed after every retry (MassTransit moved it to the resolution error queue and
/// published its fault): the extract's report says which chunk failed and why, instead of staying
/// "queued" for ever. Nothing of the chunk was applied (its transaction rolled back).
/// </summary>
public sealed partial class ChunkFaultConsumer(ExtractStore extracts, ILogger<ChunkFaultConsumer> logger) : IConsumer<Fault<ResolveSourceRows>>
{
    public async Task Consume(ConsumeContext<Fault<ResolveSourceRows>> context)
    {
        var chunk = context.Message.Message;
        // A chunk cut short because its worker was stopping is no fault of the chunk: the stalled-extract
        // re-send (Inbox:StalledExtractAfter) sends it again; only a chunk that fails on its own is reported.
        if (context.Message.Exceptions.Any(e => ShutdownExceptions.Contains(e.ExceptionType)))
        {
            LogInterrupted(chunk.ExtractId, chunk.ChunkIndex);
            return;
        }
        var reason = context.Message.Exceptions.FirstOrDefault() is { } e ? $"{e.ExceptionType}: {e.Message}" : "unknown error";
        LogChunkFailed(chunk.ExtractId, chunk.ChunkIndex, reason);
        await extracts.RecordChunkFailureAsync(chunk.ExtractId, chunk.ChunkIndex, chunk.FirstRow, chunk.LastRow,
            reason + " — it waits in the resolution error queue; fix the cause, then `make requeue-failed` (docs/operations.md)", context.CancellationToken);
    }

    private static readonly HashSet<string> ShutdownExceptions = new(StringComparer.Ordinal)
    {
        typeof(OperationCanceledException).FullName!, typeof(TaskCanceledException).FullName!, typeof(ObjectDisposedException).FullName!,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extract {ExtractId}: chunk {Chunk} was cut short by a stopping worker; it will be sent again")]
    private partial void LogInterrupted(Guid extractId, int chunk);

    [LoggerMessage(Level = LogLevel.Error, Message = "Extract {ExtractId}: chunk {Chunk} failed after every retry: {Reason}")]
    private partial void LogChunkFailed(Guid extractId, int chunk, string reason);
}
