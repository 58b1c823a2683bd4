using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>The governance gate on stewards' labels, without a database.</summary>
public sealed class ModelGateTests
{
    private static readonly double[] NoFrequencies = Enumerable.Repeat(double.NaN, Comparisons.Fields.Length).ToArray();

    private static byte[] Vector(params (MatchField Field, byte Level)[] levels)
    {
        var v = new byte[Comparisons.Fields.Length];
        foreach (var (f, l) in levels) v[(int)f] = l;
        return v;
    }

    /// <summary>Same names, a disagreeing birth date: a father and his namesake son. Stewards said "different persons".</summary>
    private static readonly byte[] Namesakes = Vector((MatchField.GivenNames, 1), (MatchField.PaternalSurname, 1), (MatchField.MaternalSurname, 1),
        (MatchField.BirthDate, 5), (MatchField.Sex, 1), (MatchField.Municipality, 1));

    /// <summary>Same names and birth date, no CURP: stewards said "same person".</summary>
    private static readonly byte[] Same = Vector((MatchField.GivenNames, 1), (MatchField.PaternalSurname, 2), (MatchField.BirthDate, 1));

    private static List<LabelledPair> Labels(int each) =>
        [.. Enumerable.Range(0, each).SelectMany(_ => new[] { new LabelledPair(Namesakes, NoFrequencies, false), new LabelledPair(Same, NoFrequencies, true) })];

    [Fact]
    public void A_model_that_would_link_pairs_stewards_called_different_persons_stays_a_shadow()
    {
        var worse = MatchModel.Default with { Version = "worse", M = WithBirthDateDifferent(0.95) };

        var report = ModelGate.Decide(worse, MatchModel.Default, Labels(30), [], minLabels: 50);

        Assert.False(report.Promoted);
        Assert.True(report.CandidateOnLabels.Precision < report.BaselineOnLabels.Precision);
        Assert.Contains("precision would drop", report.Decision, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_whose_label_precision_holds_is_put_in_force()
    {
        var report = ModelGate.Decide(MatchModel.Default with { Version = "same" }, MatchModel.Default, Labels(30), [], minLabels: 50);

        Assert.True(report.Promoted, report.Decision);
    }

    [Fact]
    public void Too_few_decided_review_tasks_keep_any_model_a_shadow_and_the_report_says_so()
    {
        var report = ModelGate.Decide(MatchModel.Default with { Version = "same" }, MatchModel.Default, Labels(10), [], minLabels: 50);

        Assert.False(report.Promoted);
        Assert.Contains("only 20 decided review tasks", report.Decision, StringComparison.Ordinal);
    }

    [Fact]
    public void Stored_evidence_is_rescored_with_the_name_frequency_it_was_scored_with()
    {
        var record = new MatchRecord { GivenKey = "ZOILA" };
        var score = MatchModel.Default.Score(Vector((MatchField.GivenNames, 1), (MatchField.BirthDate, 1)), record, (_, _) => 0.001);

        var parsed = ModelGate.Parse(score.EvidenceJson(), MatchModel.Default);

        Assert.NotNull(parsed);
        Assert.Equal(score.Vector, parsed.Value.Vector);
        Assert.Equal(0.001, parsed.Value.TermFrequencies[(int)MatchField.GivenNames], 4);
        Assert.Equal(score.Total, MatchModel.Default.ScoreStored(parsed.Value.Vector, parsed.Value.TermFrequencies), 2);
    }

    private static Dictionary<string, double[]> WithBirthDateDifferent(double m)
    {
        var values = MatchModel.Default.M.ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone());
        values["birth_date"][5] = m;
        return values;
    }
}
