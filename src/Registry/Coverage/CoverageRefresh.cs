namespace Registry.Coverage;

/// <summary>
/// The coverage aggregates' refresh: writers' triggers only mark the households they touched;
/// this statement recomputes every marked household's facts and applies the difference to the cells, in the caller's
/// transaction, one refresher at a time. Run by each chunk's completion and by the workers' periodic refresher.
/// </summary>
public static class CoverageRefresh
{
    public const string PendingSql = "SELECT registry_coverage_refresh_pending(1000000)";
}
