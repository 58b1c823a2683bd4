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
        var reason = context.Message.Exceptions.FirstOrDefault() is { } e ? $"{e.ExceptionType}: {e.Message}" : "unknown error";
        LogChunkFailed(chunk.ExtractId, chunk.ChunkIndex, reason);
        await extracts.RecordChunkFailureAsync(chunk.ExtractId, chunk.ChunkIndex, chunk.FirstRow, chunk.LastRow,
            reason + " — it waits in the resolution error queue; fix the cause and move it back to retry", context.CancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Extract {ExtractId}: chunk {Chunk} failed after every retry: {Reason}")]
    private partial void LogChunkFailed(Guid extractId, int chunk, string reason);
}
