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
    /// A parsed extract still missing chunks while no chunk of any extract was applied for this long
    /// has lost them (e.g. to the error queue when a worker stopped mid-chunk): its missing chunks are
    /// sent again. Checked at start and then every scan, at most every 30 s.
    /// </summary>
    public TimeSpan StalledExtractAfter { get; set; } = TimeSpan.FromMinutes(1);
}
