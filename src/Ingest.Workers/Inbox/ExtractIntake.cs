using System.Security.Cryptography;
using MassTransit;
using Microsoft.Extensions.Options;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Feeds;
using Registry.Ingest.Feeds;
using Registry.ServiceDefaults;

namespace Registry.Ingest.Inbox;

/// <summary>
/// Takes one received extract — a CSV file from an inbox or an upload, or a page pulled from an
/// agency API — through intake: archive it content-addressed (SHA-256), register the extract (the
/// same bytes again are a duplicate and change nothing), read it with the feed kind's reader
/// (<see cref="ExtractReaders"/>), record rejected rows, and send the accepted rows to the
/// resolution queue in chunks. Everything after "rows" is one code path for every kind.
/// </summary>
public sealed partial class ExtractIntake(
    FeedCatalog feeds,
    ExtractStore store,
    IBus bus,
    IOptions<BusOptions> busOptions,
    IOptions<InboxOptions> inboxOptions,
    ILogger<ExtractIntake> logger)
{
    private const int RejectBatch = 1000;

    // Chunks awaiting the broker's publisher confirm while parsing goes on: overlaps the round
    // trip with parsing; every confirm is awaited before the extract's counts are written.
    private const int SendsInFlight = 8;

    /// <summary>How often a running parse writes its progress (rows, bytes, chunks) to the extract's report.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>A file found in an inbox (at <paramref name="path"/>, named <paramref name="fileName"/> by its agency): registered, removed from the inbox, then parsed and queued.</summary>
    public async Task<(Guid ExtractId, bool Duplicate)> ReceiveAsync(FeedDefinition feed, string path, string fileName, CancellationToken ct)
    {
        Received received;
        await using (var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        {
            received = await RegisterAsync(feed, source, fileName, maxBytes: null, ct);
        }
        File.Delete(path);
        if (!received.Duplicate) await ParseAndQueueAsync(received.ExtractId, feed, received.ArchivePath, ct);
        return (received.ExtractId, received.Duplicate);
    }

    /// <summary>
    /// Archives content-addressed (SHA-256, computed while copying) and registers the extract; the
    /// same content for the same feed is reported as a duplicate and changes nothing.
    /// </summary>
    /// <exception cref="ExtractTooLargeException">more than <paramref name="maxBytes"/> arrived (nothing is kept).</exception>
    public async Task<Received> RegisterAsync(FeedDefinition feed, Stream content, string fileName, long? maxBytes, CancellationToken ct)
    {
        var archived = await ArchiveAsync(feed, content, Path.GetExtension(fileName), maxBytes, ct);
        return await RegisterArchivedAsync(feed, archived, fileName, alsoInTransaction: null, ct);
    }

    /// <summary>
    /// Registers an archived extract; <paramref name="alsoInTransaction"/> runs in the registering
    /// transaction (an API pull advances its cursor there, so a page is registered if and only if the
    /// cursor has moved past it).
    /// </summary>
    public async Task<Received> RegisterArchivedAsync(
        FeedDefinition feed, Archived archived, string fileName, ExtractStore.RegistrationStep? alsoInTransaction, CancellationToken ct)
    {
        var (id, duplicate) = await store.RegisterAsync(
            feed.Code, feed.Agency.Code, feed.Sector, fileName, archived.Sha256, archived.SizeBytes, archived.Path, alsoInTransaction, ct);
        if (duplicate) LogDuplicate(fileName, feed.Code, id);
        else LogReceived(fileName, feed.Code, id, archived.Sha256);
        return new Received(id, duplicate, archived.Sha256, archived.Path);
    }

    public sealed record Received(Guid ExtractId, bool Duplicate, string Sha256, string ArchivePath);

    /// <summary>Content in the archive: <c>&lt;ArchiveRoot&gt;/&lt;feed&gt;/&lt;sha256[0:2]&gt;/&lt;sha256&gt;&lt;extension&gt;</c>.</summary>
    public sealed record Archived(string Sha256, long SizeBytes, string Path);

    /// <summary>
    /// Parses an archived extract and queues its rows; safe to repeat after a crash (chunks are idempotent).
    /// The parse holds a lease on the extract (renewed while it runs), so of several replicas one parses it;
    /// a repeat cuts the chunks with the chunk size and feed definition the first attempt recorded.
    /// </summary>
    public async Task ParseAndQueueAsync(Guid extractId, FeedDefinition currentFeed, string archivePath, CancellationToken ct)
    {
        var lease = inboxOptions.Value.ParseLease;
        var claimId = Guid.NewGuid();
        if (await store.BeginParseAsync(extractId, claimId, lease, Math.Max(1, inboxOptions.Value.ChunkSize), currentFeed.Json, ct) is not { } claim)
        {
            LogParsedElsewhere(extractId);
            return;
        }
        var feed = DefinitionFor(extractId, currentFeed, claim.FeedDefinition);
        var chunkSize = claim.ChunkSize;
        using var parsing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewal = RenewLeaseAsync(extractId, claimId, lease, parsing);
        try
        {
            await ParseClaimedAsync(extractId, feed, archivePath, chunkSize, parsing.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new InvalidOperationException($"Extract {extractId}: the parse lost its lease (the database was unreachable for longer than {lease}); another attempt parses it.");
        }
        finally
        {
            await parsing.CancelAsync();
            await renewal;
        }
    }

    /// <summary>Renews the parse's lease every third of its length; cancels the parse when the lease is lost.</summary>
    private async Task RenewLeaseAsync(Guid extractId, Guid claimId, TimeSpan lease, CancellationTokenSource parsing)
    {
        var every = lease / 3;
        var lastRenewed = DateTime.UtcNow;
        while (!parsing.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, parsing.Token);
                if (await store.RenewParseLeaseAsync(extractId, claimId, lease, parsing.Token)) lastRenewed = DateTime.UtcNow;
                else await parsing.CancelAsync();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (TransientFaults.IsTransient(ex))
            {
                // The database is away: the parse itself will fail or wait; past the lease another replica may take over.
                if (DateTime.UtcNow - lastRenewed > lease) await parsing.CancelAsync();
            }
        }
    }

    /// <summary>The definition the extract's first parse used, when it differs from the one in force now.</summary>
    private FeedDefinition DefinitionFor(Guid extractId, FeedDefinition current, string? recorded)
    {
        if (recorded is null || recorded == current.Json) return current;
        LogRecordedDefinition(extractId, current.Code);
        return FeedCatalog.LoadJson(recorded, $"feed '{current.Code}' as recorded by extract {extractId}");
    }

    private async Task ParseClaimedAsync(Guid extractId, FeedDefinition feed, string archivePath, int chunkSize, CancellationToken ct)
    {
        var endpoint = await bus.GetSendEndpoint(RegistryBus.ResolutionAddress(busOptions.Value));

        // Validate the whole file before anything is sent: a file-level fault must apply nothing.
        int rows = 0, accepted = 0, rejected = 0, chunks = 0;
        try
        {
            ExtractReaders.Check(feed, archivePath);
        }
        catch (ExtractFileException ex)
        {
            await store.RejectWholeAsync(extractId, ex.Message, ct);
            LogRejectedWhole(extractId, ex.Message);
            return;
        }

        var chunk = new List<SourceRow>(chunkSize);
        var inFlight = new Queue<Task>(SendsInFlight);
        var rejects = new List<RejectedRow>(RejectBatch);
        var warnings = new List<RowWarning>(RejectBatch);
        var plan = new List<ChunkRange>();
        var progress = new ParseProgress();
        long nextReport = 0;
        try
        {
            await ReadAllAsync();
        }
        catch (ExtractFileException ex)
        {
            // The check above reads with the same parser and bounds, so this is an archive changed under
            // us; rejecting is still final, so the next start does not parse it again.
            while (inFlight.Count > 0) await inFlight.Dequeue();
            var reason = chunks == 0 ? ex.Message : $"{ex.Message} ({chunks} chunk(s) of rows before it had already been sent.)";
            await store.RejectWholeAsync(extractId, reason, ct);
            LogRejectedWhole(extractId, reason);
            return;
        }
        while (inFlight.Count > 0) await inFlight.Dequeue();
        await store.RecordChunkPlanAsync(extractId, plan, ct);
        await store.WriteRejectsAsync(extractId, rejects, ct);
        await store.WriteWarningsAsync(extractId, warnings, ct);
        await store.FinishParseAsync(extractId, rows, accepted, rejected, chunks, chunkSize, ct);
        LogParsed(extractId, rows, accepted, rejected, chunks);

        async Task ReadAllAsync()
        {
            foreach (var parsed in ExtractReaders.Read(feed, archivePath, progress))
            {
                rows++;
                if (parsed.Accepted is { } row)
                {
                    accepted++;
                    chunk.Add(row);
                    if (row.Warnings is { } left) await KeepWarningsAsync(row.RowNumber, left);
                    if (chunk.Count == chunkSize) await SendChunkAsync(chunks++);
                }
                else
                {
                    rejected++;
                    rejects.Add(parsed.Rejected!);
                    if (rejects.Count == RejectBatch)
                    {
                        await store.WriteRejectsAsync(extractId, rejects, ct);
                        rejects.Clear();
                    }
                }
            }
            if (chunk.Count > 0) await SendChunkAsync(chunks++);
        }

        // Values left out of accepted rows, for the acceptance report: batched like the rejects.
        async Task KeepWarningsAsync(int rowNumber, IReadOnlyList<FieldWarning> left)
        {
            foreach (var w in left)
                warnings.Add(new RowWarning(rowNumber, w.Field, feed.Fields[w.Field][0], w.Value, w.Reason));
            if (warnings.Count >= RejectBatch)
            {
                await store.WriteWarningsAsync(extractId, warnings, ct);
                warnings.Clear();
            }
        }

        async Task SendChunkAsync(int index)
        {
            var message = new ResolveSourceRows(extractId, index, chunk[0].RowNumber, chunk[^1].RowNumber,
                feed.Code, feed.Agency.Code, feed.Sector, chunk.ToArray());
            plan.Add(new ChunkRange(index, message.FirstRow, message.LastRow, chunk.Count));
            chunk.Clear();
            inFlight.Enqueue(SendAsync(endpoint, message, ct));
            if (inFlight.Count >= SendsInFlight) await inFlight.Dequeue();
            await ReportProgressAsync(index + 1);
        }

        // The acceptance report's progress and the chunks' row ranges: at the first chunk sent, then at most once per interval.
        async Task ReportProgressAsync(int sent)
        {
            var now = Environment.TickCount64;
            if (now < nextReport) return;
            nextReport = now + (long)ProgressInterval.TotalMilliseconds;
            await store.RecordChunkPlanAsync(extractId, plan, ct);
            plan.Clear();
            await store.ReportParseProgressAsync(extractId, rows, progress.BytesRead, sent, ct);
        }
    }

    /// <summary>
    /// Parses again the extracts whose parse never finished and that no live parse holds (the worker stopped,
    /// or lost the database or broker, mid-file); called at start and periodically by the inbox scanner.
    /// One extract that cannot be parsed now stays unfinished and visible; it never stops the host.
    /// </summary>
    public async Task RecoverUnfinishedAsync(CancellationToken ct)
    {
        foreach (var pending in await store.UnfinishedParsesAsync(ct))
        {
            if (feeds.Find(pending.FeedCode) is not { } feed)
            {
                await store.RejectWholeAsync(pending.Id, $"Feed '{pending.FeedCode}' is no longer defined.", ct);
                continue;
            }
            LogRecovering(pending.Id, pending.FileName);
            try
            {
                await ParseAndQueueAsync(pending.Id, feed, pending.ArchivePath, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogRecoverFailed(ex, pending.Id, pending.FileName);
            }
        }
    }

    /// <summary>
    /// Re-sends the missing chunks of parsed extracts that stalled (see <see cref="ExtractStore.ClaimStalledAsync"/>
    /// and <see cref="InboxOptions.StalledExtractAfter"/>); called periodically by the inbox scanner.
    /// </summary>
    public async Task ResendStalledAsync(CancellationToken ct)
    {
        foreach (var queued in await store.ClaimStalledAsync(inboxOptions.Value.StalledExtractAfter, ct))
        {
            if (feeds.Find(queued.FeedCode) is not { } current) continue;
            try
            {
                await ResendMissingChunksAsync(queued, DefinitionFor(queued.Id, current, queued.FeedDefinition), ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogResendFailed(ex, queued.Id, queued.FileName);
            }
        }
    }

    /// <summary>
    /// Re-sends the chunks of a parsed extract that were never applied, each with exactly the rows it held when
    /// first sent: the recorded row ranges, read with the recorded feed definition (extracts parsed before ranges
    /// were recorded: cut with their recorded chunk size). Chunks still on the queue arrive twice; the second is
    /// a no-op (claimed by (extract, chunk)). Counts and rejected rows are not touched.
    /// </summary>
    private async Task ResendMissingChunksAsync(QueuedExtract extract, FeedDefinition feed, CancellationToken ct)
    {
        var applied = extract.AppliedChunks;
        if (applied.Count >= extract.ChunksTotal) return;
        var plan = extract.Plan.Count == extract.ChunksTotal ? extract.Plan : null;
        var missing = new Queue<ChunkRange>((plan ?? []).Where(c => !applied.Contains(c.Index)));
        var endpoint = await bus.GetSendEndpoint(RegistryBus.ResolutionAddress(busOptions.Value));
        var chunk = new List<SourceRow>(extract.ChunkSize);
        int index = 0, resent = 0;
        foreach (var parsed in ExtractReaders.Read(feed, extract.ArchivePath))
        {
            if (parsed.Accepted is not { } row) continue;
            if (plan is null)
            {
                chunk.Add(row);
                if (chunk.Count == extract.ChunkSize)
                {
                    await FlushAsync(index, send: !applied.Contains(index));
                    index++;
                }
                continue;
            }
            if (missing.Count == 0) break;
            if (row.RowNumber > missing.Peek().LastRow)
            {
                await FlushRangeAsync(); // throws: the range's last row is gone from the archive
                if (missing.Count == 0) break;
            }
            if (row.RowNumber < missing.Peek().FirstRow) continue;
            chunk.Add(row);
            if (row.RowNumber == missing.Peek().LastRow) await FlushRangeAsync();
        }
        if (plan is null && chunk.Count > 0) await FlushAsync(index, send: !applied.Contains(index));
        if (plan is not null && missing.Count > 0) await FlushRangeAsync();
        LogResent(extract.Id, extract.FileName, resent, extract.ChunksTotal);

        async Task FlushRangeAsync()
        {
            var range = missing.Dequeue();
            if (chunk.Count != range.Rows)
                throw new InvalidOperationException(
                    $"chunk {range.Index} held {range.Rows} rows ({range.FirstRow}–{range.LastRow}) when first sent, the archive now gives {chunk.Count}: not re-sent");
            await FlushAsync(range.Index, send: true);
        }

        async Task FlushAsync(int chunkIndex, bool send)
        {
            if (send && chunk.Count > 0)
            {
                await SendAsync(endpoint, new ResolveSourceRows(extract.Id, chunkIndex, chunk[0].RowNumber, chunk[^1].RowNumber,
                    feed.Code, feed.Agency.Code, feed.Sector, chunk.ToArray()), ct);
                resent++;
            }
            chunk.Clear();
        }
    }

    /// <summary>
    /// A chunk sent with its broker confirm awaited for at most <see cref="SendTimeout"/>: a send caught by a broker
    /// that died can otherwise wait for ever while its parse keeps renewing the lease (seen in bench-faults); failing
    /// lets the lease run out, and the parse is taken up again once the broker is back.
    /// </summary>
    private static async Task SendAsync(ISendEndpoint endpoint, ResolveSourceRows message, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(SendTimeout);
        try
        {
            await endpoint.Send(message, bounded.Token).WaitAsync(SendTimeout + TimeSpan.FromSeconds(5), ct); // whether or not the send honours its token
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The broker did not confirm chunk {message.ChunkIndex} of extract {message.ExtractId} within {SendTimeout}.");
        }
    }

    private static readonly TimeSpan SendTimeout = TimeSpan.FromMinutes(1);

    /// <summary>Copies <paramref name="source"/> into the archive while hashing it (never held in memory).</summary>
    /// <exception cref="ExtractTooLargeException">more than <paramref name="maxBytes"/> arrived (nothing is kept).</exception>
    public async Task<Archived> ArchiveAsync(FeedDefinition feed, Stream source, string extension, long? maxBytes, CancellationToken ct)
    {
        var root = Path.GetFullPath(inboxOptions.Value.ArchiveRoot);
        Directory.CreateDirectory(root);
        var temp = Path.Combine(root, $".incoming-{Guid.NewGuid():N}");
        string sha256;
        long size = 0;
        try
        {
            await using var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = await source.ReadAsync(buffer, ct)) > 0)
            {
                size += n;
                if (size > maxBytes) throw new ExtractTooLargeException(maxBytes.Value);
                hash.AppendData(buffer, 0, n);
                await target.WriteAsync(buffer.AsMemory(0, n), ct);
            }
            await target.FlushAsync(ct);
            sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        var folder = Path.Combine(root, feed.Code, sha256[..2]);
        Directory.CreateDirectory(folder);
        var final = Path.Combine(folder, sha256 + (extension.Length > 0 && extension.Length <= 8 ? extension : ".csv"));
        if (File.Exists(final)) File.Delete(temp);
        else File.Move(temp, final);
        return new Archived(sha256, size, final);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Received {FileName} for feed {Feed}: extract {ExtractId}, sha256 {Sha256}")]
    private partial void LogReceived(string fileName, string feed, Guid extractId, string sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "{FileName} for feed {Feed} has the same content as extract {ExtractId}: recorded as a duplicate, nothing applied")]
    private partial void LogDuplicate(string fileName, string feed, Guid extractId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extract {ExtractId} rejected whole: {Reason}")]
    private partial void LogRejectedWhole(Guid extractId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Extract {ExtractId} parsed: {Rows} rows, {Accepted} accepted, {Rejected} rejected, {Chunks} chunks queued")]
    private partial void LogParsed(Guid extractId, int rows, int accepted, int rejected, int chunks);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not re-send the missing chunks of extract {ExtractId} ({FileName})")]
    private partial void LogResendFailed(Exception exception, Guid extractId, string fileName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not parse extract {ExtractId} ({FileName}) again; it stays unfinished and is tried again later")]
    private partial void LogRecoverFailed(Exception exception, Guid extractId, string fileName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extract {ExtractId} ({FileName}) stalled with chunks never applied: re-sent the {Resent} of its {Chunks} chunks not applied yet")]
    private partial void LogResent(Guid extractId, string fileName, int resent, int chunks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Extract {ExtractId} is parsed already or being parsed by another worker: nothing to do")]
    private partial void LogParsedElsewhere(Guid extractId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extract {ExtractId}: feed {Feed} changed since its first parse; cutting its chunks with the definition that parse recorded")]
    private partial void LogRecordedDefinition(Guid extractId, string feed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extract {ExtractId} ({FileName}) was not fully parsed (its worker stopped or lost a server mid-file): parsing it again")]
    private partial void LogRecovering(Guid extractId, string fileName);
}

/// <summary>An upload larger than the configured limit; nothing of it is kept.</summary>
public sealed class ExtractTooLargeException(long maxBytes) : Exception($"The extract is larger than the limit of {maxBytes:N0} bytes.")
{
    public long MaxBytes { get; } = maxBytes;
}
