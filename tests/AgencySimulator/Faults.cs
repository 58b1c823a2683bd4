namespace Registry.AgencySimulator;

/// <summary>Switchable faults of the simulated API (all off by default). Counts are consumed by the requests they hit.</summary>
public sealed record Faults
{
    /// <summary>The next N data requests answer 503.</summary>
    public int ServerErrors { get; init; }

    /// <summary>Fraction (0–1) of data requests answering 500, drawn from the seeded generator (for the demo).</summary>
    public double ServerErrorRate { get; init; }

    /// <summary>The next N data requests answer only after <see cref="HangSeconds"/> (longer than the client's attempt timeout).</summary>
    public int Timeouts { get; init; }

    /// <summary>Every request for this page number (1-based) or later hangs <see cref="HangSeconds"/> (to stop a pull mid-way).</summary>
    public int? HangFromPage { get; init; }

    public double HangSeconds { get; init; } = 30;

    /// <summary>This page number (1-based) is served as broken JSON until the fault is cleared.</summary>
    public int? MalformedPage { get; init; }

    /// <summary>Every data request answers 401 (as if the key had been revoked).</summary>
    public bool Unauthorized { get; init; }

    /// <summary>Every data request answers 302 to this absolute URL (as a hijacked or misconfigured gateway would).</summary>
    public string? RedirectTo { get; init; }

    /// <summary>The next N data requests answer 307 to the same path and query on this server (a harmless hop).</summary>
    public int SameOriginRedirects { get; init; }
}
