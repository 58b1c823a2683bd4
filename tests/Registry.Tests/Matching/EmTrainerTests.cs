using Registry.Matching;

namespace Registry.Tests.Matching;

public sealed class EmTrainerTests
{
    [Fact]
    public void EM_recovers_the_m_probabilities_that_generated_the_pairs_where_they_are_identifiable()
    {
        // Pairs drawn from a known model: 20% matches. Start EM from deliberately wrong m values.
        var truth = MatchModel.Default;
        var random = new Random(7);
        var vectors = Enumerable.Range(0, 20_000).Select(_ =>
        {
            var match = random.NextDouble() < 0.2;
            return Comparisons.Fields.Select(f =>
            {
                var p = (match ? truth.M : truth.U)[MatchModel.Key(f)];
                var x = random.NextDouble() * p.Skip(1).Sum();
                for (var l = 1; l < p.Length; l++) { if ((x -= p[l]) <= 0) return (byte)l; }
                return (byte)(p.Length - 1);
            }).ToArray();
        }).ToList();
        var wrongStart = truth with { M = truth.M.ToDictionary(kv => kv.Key, kv => kv.Value.Select((_, i) => i == 0 ? 0 : 1.0 / (kv.Value.Length - 1)).ToArray()) };

        var (m, lambda, _) = EmTrainer.EstimateM([.. vectors.Select(v => new BlockedPair(v, 0))], wrongStart, truth.U);

        Assert.InRange(lambda, 0.18, 0.22);
        // Not learnt from blocked pairs: the birth date (every dated blocking key holds it) and the surnames (a family's
        // own, see EmTrainer.Identifiable) keep their starting values.
        Assert.Equal(wrongStart.M["birth_date"], m["birth_date"]);
        Assert.Equal(wrongStart.M["paternal_surname"], m["paternal_surname"]);
        Assert.Equal(wrongStart.M["maternal_surname"], m["maternal_surname"]);
        Assert.InRange(m["given_names"][1], truth.M["given_names"][1] - 0.03, truth.M["given_names"][1] + 0.03);
        Assert.InRange(m["sex"][1], truth.M["sex"][1] - 0.03, truth.M["sex"][1] + 0.03);
    }

    [Fact]
    public void u_is_the_share_of_each_level_among_random_pairs_and_missing_values_do_not_count()
    {
        var vectors = Enumerable.Range(0, 1000).Select(i =>
        {
            var v = new byte[Comparisons.Fields.Length];
            v[(int)MatchField.Sex] = (byte)(i < 200 ? 0 : i % 2 == 0 ? 1 : 2);
            return v;
        }).ToList();

        var u = EmTrainer.EstimateU(vectors, MatchModel.Default);

        Assert.InRange(u["sex"][1], 0.49, 0.51);
        Assert.Equal(MatchModel.Default.U["phone"], u["phone"]); // never present: keeps the starting value
    }

    [Fact]
    public void The_birth_date_keeps_its_starting_u_whatever_random_pairs_show()
    {
        // Random pairs almost never have dates one slip apart; the pairs the resolver scores share part of the date by
        // construction, so that u would make a namesake a digit away in the year look like the same person.
        var vectors = Enumerable.Range(0, 10_000).Select(i =>
        {
            var v = new byte[Comparisons.Fields.Length];
            v[(int)MatchField.BirthDate] = (byte)(i < 5 ? 4 : 5);
            return v;
        }).ToList();

        var u = EmTrainer.EstimateU(vectors, MatchModel.Default);

        Assert.Equal(MatchModel.Default.U["birth_date"], u["birth_date"]);
    }
}
