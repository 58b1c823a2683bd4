namespace Registry.Matching;

/// <summary>
/// Why a record was linked to its person (<c>match_decisions.rule</c>). Stored as its code (<see cref="LinkRules.Code"/>),
/// the kebab-case text the registry has always stored: SQL reads it too (<c>rule LIKE 'probabilistic%'</c> in the
/// territory triggers and the model gate), so codes never change; the UI shows them through its text table.
/// </summary>
public enum LinkRule
{
    /// <summary>A known identity CURP (valid and consistent with its row).</summary>
    ExactCurp,
    /// <summary>The same agency's person id, not contradicting an identity CURP.</summary>
    AgencyPersonId,
    /// <summary>A known deterministic key of another kind.</summary>
    KnownKey,
    /// <summary>Scored above the link threshold against a registry record.</summary>
    Probabilistic,
    /// <summary>Scored above the link threshold against another row of the same chunk.</summary>
    ProbabilisticInChunk,
    /// <summary>Joined a person another row of the chunk created, through a shared deterministic key.</summary>
    SameKeyInChunk,
    /// <summary>Linked to no one: a new person.</summary>
    NewPerson,
}

public static class LinkRules
{
    /// <summary>The code stored for <paramref name="rule"/>.</summary>
    public static string Code(this LinkRule rule) => rule switch
    {
        LinkRule.ExactCurp => "exact-curp",
        LinkRule.AgencyPersonId => "agency-person-id",
        LinkRule.KnownKey => "known-key",
        LinkRule.Probabilistic => "probabilistic",
        LinkRule.ProbabilisticInChunk => "probabilistic-in-chunk",
        LinkRule.SameKeyInChunk => "same-key-in-chunk",
        LinkRule.NewPerson => "new-person",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };

    /// <summary>The rule a stored code names; false for a code this build does not know.</summary>
    public static bool TryParse(string? code, out LinkRule rule)
    {
        foreach (var candidate in Enum.GetValues<LinkRule>())
            if (string.Equals(candidate.Code(), code, StringComparison.Ordinal))
            {
                rule = candidate;
                return true;
            }
        rule = default;
        return false;
    }
}
