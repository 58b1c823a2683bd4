namespace Registry.Ingest.Inbox;

/// <summary>Settings of section <c>Inbox</c>.</summary>
public sealed class InboxOptions
{
    /// <summary>Root of the agency inboxes; one sub-folder per csv-drop feed code.</summary>
    public string Root { get; set; } = ".local/inbox";

    /// <summary>Where received files are kept, content-addressed by SHA-256.</summary>
    public string ArchiveRoot { get; set; } = ".local/archive";

    /// <summary>Fallback scan period when file-system notifications are missed.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A file is taken only once unchanged this long (agencies should still write *.part and rename).</summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Accepted rows per bus message. Each chunk pays a fixed cost under the resolution lock (some
    /// twenty set-based statements and their planning), so larger chunks resolve faster: 2000 rows
    /// made resolution ~45% faster than 500 (make bench-resolve); a message stays ~1 MB.
    /// </summary>
    public int ChunkSize { get; set; } = 2000;

    /// <summary>
    /// A parsed extract none of whose chunks was applied for this long, while nothing at all was applied or
    /// chunks queued after all of its own were, has lost chunks (e.g. a worker stopped mid-chunk): its missing
    /// chunks are sent again (ExtractStore.ClaimStalledAsync). Unfinished parses are taken up again on the same
    /// schedule. Checked at start and then at most every 30 s.
    /// </summary>
    public TimeSpan StalledExtractAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A parse holds its extract this long, renewed every third of it while it runs; a parse whose worker died or
    /// lost the database for longer is taken up by another worker (or the same one) from the start.
    /// </summary>
    public TimeSpan ParseLease { get; set; } = TimeSpan.FromSeconds(30);
}
