namespace Registry.Matching;

/// <summary>
/// Why a record asks a steward about a pair of persons (<c>review_tasks.reason</c>, <c>review_task_records.reason</c>).
/// Stored as its kebab-case code (<see cref="ReviewReasons.Code"/>); the UI and auditors read it through the UI's text table.
/// </summary>
public enum ReviewReason
{
    /// <summary>The score lies between the review and link thresholds.</summary>
    ReviewBand,
    /// <summary>Names agree but nothing that tells namesakes apart (birth date, CURP, another id, phone, street and number).</summary>
    NamesOnly,
    /// <summary>The records carry two different valid CURPs.</summary>
    TwoValidCurps,
    /// <summary>A steward decided these are different persons.</summary>
    StewardSeparated,
    /// <summary>Two registry persons whose own records disagree both match this record (namesakes).</summary>
    AmbiguousNamesakes,
    /// <summary>The CURP names a person whose records this record contradicts (a relative's CURP?).</summary>
    ContradictedCurp,
    /// <summary>The agency's person id names a person whose records this record contradicts (an id reused or mistyped?).</summary>
    ContradictedAgencyId,
    /// <summary>The record bridges two registry persons whose own records disagree.</summary>
    BridgesDisagreeing,
    /// <summary>The record bridges two registry persons that cannot be compared (their records are not among the candidates).</summary>
    BridgesIncomparable,
    /// <summary>The records carry two different valid documents of one type (two cédulas, two NUIPs of registro civil).</summary>
    TwoValidDocuments,
}

public static class ReviewReasons
{
    /// <summary>The code stored for <paramref name="reason"/>.</summary>
    public static string Code(this ReviewReason reason) => reason switch
    {
        ReviewReason.ReviewBand => "review-band",
        ReviewReason.NamesOnly => "names-only",
        ReviewReason.TwoValidCurps => "two-valid-curps",
        ReviewReason.StewardSeparated => "steward-separated",
        ReviewReason.AmbiguousNamesakes => "ambiguous-namesakes",
        ReviewReason.ContradictedCurp => "contradicted-curp",
        ReviewReason.ContradictedAgencyId => "contradicted-agency-id",
        ReviewReason.BridgesDisagreeing => "bridges-disagreeing",
        ReviewReason.BridgesIncomparable => "bridges-incomparable",
        ReviewReason.TwoValidDocuments => "two-valid-documents",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>The reason a stored code names; false for text this build does not know (shown as it is).</summary>
    public static bool TryParse(string? code, out ReviewReason reason)
    {
        foreach (var candidate in Enum.GetValues<ReviewReason>())
            if (string.Equals(candidate.Code(), code, StringComparison.Ordinal))
            {
                reason = candidate;
                return true;
            }
        reason = default;
        return false;
    }
}
