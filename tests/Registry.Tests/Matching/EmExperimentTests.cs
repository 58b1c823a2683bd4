using Registry.Matching;
using Xunit.Abstractions;

namespace Registry.Tests.Matching;

public sealed class EmExperimentTests(ITestOutputHelper output)
{
    [Fact]
    public void Experiment()
    {
        var n = int.Parse(Environment.GetEnvironmentVariable("EMX_RECORDS") ?? "20000", System.Globalization.CultureInfo.InvariantCulture);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var s = new SyntheticPairs(n, 20261123);
        output.WriteLine($"built in {sw.Elapsed.TotalSeconds:F1}s, distinct {s.Distinct.Count}");
        output.WriteLine("default: " + s.Evaluate(MatchModel.Default));
        var random = new Random(1);
        var rv = s.RandomVectors(50_000, random);
        var bp = s.BlockedPairs(50_000, random);
        var bv = bp.Select(p => Comparisons.Compare(p.A, p.B)).ToList();
        output.WriteLine($"blocked pairs {bp.Count}, same person {bp.Count(p => p.A.PersonId == p.B.PersonId)}, identical {bp.Count(p => (p.A with { SourceRecordId = default }) == (p.B with { SourceRecordId = default }))}");
        var r = EmTrainer.Train(MatchModel.Default, rv, bp, "em")!;
        var em = r.Model;
        var m = em.M;
        output.WriteLine($"em lambda={r.MatchShare:F3} it={r.Iterations} pairs={r.BlockedPairs} skipped={r.RepeatedPairsSkipped}: " + s.Evaluate(em));
        // Oracle: m from the true matches among the distinct blocked pairs, all fields.
        var distinctPairs = bp.Where(p => (p.A with { SourceRecordId = default }) != (p.B with { SourceRecordId = default })).ToList();
        var trueM = new Dictionary<string, double[]>();
        foreach (var f in Comparisons.Fields)
        {
            var c = new double[Comparisons.LevelNames[f].Length];
            foreach (var p in distinctPairs.Where(p => p.A.PersonId == p.B.PersonId)) c[Comparisons.Compare(p.A, p.B)[(int)f]]++;
            var est = new double[c.Length];
            foreach (var g in EmTrainer.LevelGroups(f)) { var tot = g.Sum(l => c[l]); foreach (var l in g) est[l] = (c[l] + 0.5) / (tot + 0.5 * g.Length); }
            trueM[MatchModel.Key(f)] = est;
        }
        var oracle = MatchModel.Default with { Version = "oracle", M = trueM, U = r.Model.U };
        output.WriteLine("oracle m, em u: " + s.Evaluate(oracle));
        output.WriteLine("default m, em u: " + s.Evaluate(MatchModel.Default with { Version = "x", U = r.Model.U }));
        output.WriteLine("oracle m, default u: " + s.Evaluate(MatchModel.Default with { Version = "y", M = trueM }));
        var dflt = new HashSet<(Guid, Guid)>(s.FalseLinks(MatchModel.Default).Select(x => (x.A.SourceRecordId, x.B.SourceRecordId)));
        foreach (var x in s.FalseLinks(MatchModel.Default with { Version = "x", U = r.Model.U }))
            output.WriteLine($"{(dflt.Contains((x.A.SourceRecordId, x.B.SourceRecordId)) ? "both" : "NEW")} {x.Score.Total:F1} [{string.Join(",", x.Score.Vector)}] w=[{string.Join(",", x.Score.FieldWeights.Select(w => w.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}] default={MatchModel.Default.Score(x.Score.Vector, x.A, s.TermFrequency).Total:F1} | {x.A.GivenKey} {x.A.PaternalKey} {x.A.MaternalKey} {x.A.BirthDate} {x.A.ValidCurp ?? x.A.InvalidCurp} | {x.B.GivenKey} {x.B.PaternalKey} {x.B.MaternalKey} {x.B.BirthDate} {x.B.ValidCurp ?? x.B.InvalidCurp}");
        foreach (var f in Comparisons.Fields)
            output.WriteLine($"{MatchModel.Key(f),-18} true m={string.Join(" ", trueM[MatchModel.Key(f)].Skip(1).Select(x => x.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))} em u={string.Join(" ", r.Model.U[MatchModel.Key(f)].Skip(1).Select(x => x.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}");
        foreach (var f in Comparisons.Fields)
            output.WriteLine($"{MatchModel.Key(f),-18} default w={string.Join(" ", MatchModel.Default.Weights[(int)f].Skip(1).Select(x => x.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} | em w={string.Join(" ", em.Weights[(int)f].Skip(1).Select(x => x.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} | em m={string.Join(" ", m[MatchModel.Key(f)].Skip(1).Select(x => x.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");
    }
}
