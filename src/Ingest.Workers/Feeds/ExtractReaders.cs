using Registry.Feeds;

namespace Registry.Ingest.Feeds;

/// <summary>The reader for an archived extract, by feed kind: CSV files and API pages end as the same rows.</summary>
public static class ExtractReaders
{
    /// <summary>Extract-level checks only (throws <see cref="ExtractFileException"/>), before any row is sent.</summary>
    public static void Check(FeedDefinition feed, string path)
    {
        if (feed.Kind == FeedKinds.ApiPull) _ = ApiPageReader.CheckPage(path, feed, cursor: null);
        else CsvExtractReader.CheckFile(path, feed);
    }

    /// <param name="progress">Bytes read so far (CSV files; an API page counts as read when parsed), for the acceptance report.</param>
    public static IEnumerable<ParsedRow> Read(FeedDefinition feed, string path, ParseProgress? progress = null) =>
        feed.Kind == FeedKinds.ApiPull ? ApiPageReader.Read(path, feed) : CsvExtractReader.Read(path, feed, progress);
}
