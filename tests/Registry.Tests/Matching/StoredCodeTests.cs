using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>Link rules and review reasons are stored as codes: each code is distinct and reads back as its value.</summary>
public sealed class StoredCodeTests
{
    [Fact]
    public void Every_link_rule_code_is_distinct_and_reads_back_as_its_rule()
    {
        var rules = Enum.GetValues<LinkRule>();
        Assert.Equal(rules.Length, rules.Select(r => r.Code()).Distinct(StringComparer.Ordinal).Count());
        foreach (var rule in rules) Assert.True(LinkRules.TryParse(rule.Code(), out var read) && read == rule);
    }

    [Fact]
    public void The_link_rule_codes_are_the_text_stored_before_and_read_by_SQL()
    {
        // The territory triggers (0035) and the model gate select probabilistic links with rule LIKE 'probabilistic%'.
        Assert.Equal(["exact-curp", "agency-person-id", "known-key", "probabilistic", "probabilistic-in-chunk", "same-key-in-chunk", "new-person"],
            Enum.GetValues<LinkRule>().Select(r => r.Code()));
        Assert.All(Enum.GetValues<LinkRule>(), r =>
            Assert.Equal(r is LinkRule.Probabilistic or LinkRule.ProbabilisticInChunk, r.Code().StartsWith("probabilistic", StringComparison.Ordinal)));
    }

    [Fact]
    public void Every_review_reason_code_is_distinct_and_reads_back_as_its_reason()
    {
        var reasons = Enum.GetValues<ReviewReason>();
        Assert.Equal(reasons.Length, reasons.Select(r => r.Code()).Distinct(StringComparer.Ordinal).Count());
        foreach (var reason in reasons) Assert.True(ReviewReasons.TryParse(reason.Code(), out var read) && read == reason);
        Assert.False(ReviewReasons.TryParse("score between the review and link thresholds", out _));
    }
}
