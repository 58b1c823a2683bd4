namespace Registry.Ingest.Feeds;

/// <summary>
/// Settings of section <c>ApiPull</c>. The HTTP resilience of the agency-API client (timeouts,
/// retries, circuit breaker) is section <c>ApiPull:Http</c>, bound onto
/// <c>HttpStandardResilienceOptions</c> (see README, "API pulls").
/// </summary>
public sealed class ApiPullOptions
{
    /// <summary>A page larger than this is refused (the API is misbehaving; nothing of it is kept).</summary>
    public long MaxPageBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A run stops after this many pages and the next run continues from the cursor (guards against an API that never ends).</summary>
    public int MaxPagesPerRun { get; set; } = 10_000;

    /// <summary>Longest time to read one page's body once its headers arrived.</summary>
    public TimeSpan PageReadTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
