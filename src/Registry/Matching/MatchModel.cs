using System.Text.Json.Serialization;

namespace Registry.Matching;

/// <summary>
/// A Fellegi–Sunter model: for each field and comparison level, m = P(level | same person) and
/// u = P(level | different people). A pair's match weight is Σ log2(m/u) over fields (level 0,
/// "missing", adds nothing). Above <see cref="LinkThreshold"/> the record is linked, between the
/// thresholds a steward reviews it, below it is a new person. Versioned: every decision stores
/// the version it was made with; EM training (<see cref="EmTrainer"/>) produces new versions.
/// </summary>
public sealed record MatchModel
{
    public required string Version { get; init; }

    /// <summary>Field name → m per level (index 0, "missing", is ignored).</summary>
    public required IReadOnlyDictionary<string, double[]> M { get => m; init { m = value; weights = null; } }

    /// <summary>Field name → u per level (index 0 ignored).</summary>
    // A `with` copies the cached weights too: setting m or u drops them, or a trained copy of a model
    // would score with its parent's weights until stored and read back.
    public required IReadOnlyDictionary<string, double[]> U { get => u; init { u = value; weights = null; } }

    private IReadOnlyDictionary<string, double[]> m = null!;
    private IReadOnlyDictionary<string, double[]> u = null!;

    public double LinkThreshold { get; init; } = 20;
    /// <summary>
    /// Below it a record is a new person without asking. Tasks a steward answers "same person" were 3 % of those scored 12–14
    /// and 7 % of those scored 14–16 on the hard synthetic population (200k records), 5 % of 16–18 at 1M: a queue of such
    /// questions wastes the stewards' day.
    /// </summary>
    public double ReviewThreshold { get; init; } = 17;

    /// <summary>
    /// Two registry persons a record links to are one person only when their own records score at least this with each
    /// other; below it they disagree (a merge is refused, the record goes to review). Lower than the review band, and not
    /// raised with the registry's size: the record that bridges them is the evidence, already judged against thresholds
    /// for that size; this only rules out persons that contradict each other.
    /// </summary>
    public double BridgeThreshold { get; init; } = 14;

    /// <summary>
    /// Postal code, municipality and phone are shared by a whole household: a father and his
    /// namesake son agree on all of them. Their combined positive evidence is capped so a shared
    /// address never outweighs a birth date that disagrees.
    /// </summary>
    public double HouseholdFieldsCap { get; init; } = 4;

    /// <summary>
    /// The cap of <see cref="HouseholdFieldsCap"/> for a pair with no birth date to compare — missing on either side, and
    /// no CURP compared either — whose names do not disagree: then there is no date for the address to outweigh, and
    /// what is left to tell a person's records from a stranger's is the name plus where they live. 10 bits, about what
    /// the phone alone weighs: the shared fields still count as one piece of evidence ("same household"), not as four.
    /// Not when a name disagrees: within one household the surnames are shared, so a brother (another given name) or a
    /// son named after his father (his mother's second surname) would otherwise link on the address.
    /// </summary>
    public double HouseholdFieldsCapWithoutBirthDate { get; init; } = 10;

    /// <summary>
    /// The cap on the household-shared fields for this comparison vector: <see cref="HouseholdFieldsCapWithoutBirthDate"/>
    /// when neither a birth date nor a CURP was compared, the given names agree (exactly, by nickname or a dropped MARÍA/JOSÉ,
    /// nearly, or crosswise with the first surname) and neither surname disagrees; else <see cref="HouseholdFieldsCap"/>.
    /// </summary>
    public double HouseholdCap(ReadOnlySpan<byte> vector) =>
        vector.Length > (int)MatchField.Street
        && vector[(int)MatchField.BirthDate] == 0 && vector[(int)MatchField.Curp] == 0
        && vector[(int)MatchField.GivenNames] is 1 or 2 or 3 or 6
        && vector[(int)MatchField.PaternalSurname] is 0 or 1 or 2 or 3
        && vector[(int)MatchField.MaternalSurname] is 0 or 1 or 2 or 3
            ? HouseholdFieldsCapWithoutBirthDate : HouseholdFieldsCap;

    /// <summary>
    /// The registry size (records) the thresholds were set at. Fellegi–Sunter's prior — the chance that a record meets its
    /// own person rather than a stranger — falls as the registry grows: among N records a name has N times its frequency
    /// of namesakes. A pair's evidence (the score) does not change with size, so the thresholds rise by log2(N / this)
    /// bits once the registry is larger (<see cref="AtSize"/>): at 1M records, 3.3 bits. Below it they stay as set.
    /// </summary>
    public long PriorReferenceRecords { get; init; } = 100_000;

    /// <summary>This model with its thresholds raised for a registry of <paramref name="records"/> records (<see cref="PriorReferenceRecords"/>).</summary>
    public MatchModel AtSize(long records)
    {
        var shift = PriorShift(records);
        return shift == 0 ? this with { RegistryRecords = records } : this with
        {
            RegistryRecords = records,
            LinkThreshold = Math.Round(LinkThreshold + shift, 3), ReviewThreshold = Math.Round(ReviewThreshold + shift, 3),
        };
    }

    /// <summary>Bits the thresholds rise by at <paramref name="records"/> records: log2(records / <see cref="PriorReferenceRecords"/>), never below 0.</summary>
    public double PriorShift(long records) =>
        PriorReferenceRecords <= 0 || records <= PriorReferenceRecords ? 0 : Math.Log2((double)records / PriorReferenceRecords);

    /// <summary>Frequencies below this are not trusted for term-frequency adjustment (tiny registries).</summary>
    public double MinTermFrequency { get; init; } = 0.0005;

    /// <summary>Rows counted before term frequencies are used at all.</summary>
    public long MinTermRows { get; init; } = 2000;

    [JsonIgnore]
    public double[][] Weights => weights ??= Comparisons.Fields
        .Select(f => Probabilities(M, Default.M, f).Zip(Probabilities(U, Default.U, f), (m, u) => Math.Log2(Math.Max(m, 1e-9) / Math.Max(u, 1e-9))).ToArray())
        .ToArray();

    /// <summary>A model stored before a field was compared has no values for it: the starting values stand in.</summary>
    public static double[] Probabilities(IReadOnlyDictionary<string, double[]> values, IReadOnlyDictionary<string, double[]> fallback, MatchField field) =>
        values.TryGetValue(Key(field), out var p) && p.Length == Comparisons.LevelNames[field].Length ? p : fallback[Key(field)];
    private double[][]? weights;

    public static string Key(MatchField field) => field switch
    {
        MatchField.Curp => "curp",
        MatchField.GivenNames => "given_names",
        MatchField.PaternalSurname => "paternal_surname",
        MatchField.MaternalSurname => "maternal_surname",
        MatchField.BirthDate => "birth_date",
        MatchField.Sex => "sex",
        MatchField.PostalCode => "postal_code",
        MatchField.Municipality => "municipality",
        MatchField.Phone => "phone",
        MatchField.OtherId => "other_id",
        MatchField.Street => "street",
        MatchField.Colonia => "colonia",
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    /// <summary>Scores a comparison vector; <paramref name="termFrequency"/> gives the share of records with a value (or null when unknown).</summary>
    public MatchScore Score(byte[] vector, MatchRecord a, Func<MatchField, string, double?>? termFrequency = null)
    {
        ArgumentNullException.ThrowIfNull(vector);
        ArgumentNullException.ThrowIfNull(a);
        Span<double> tf = stackalloc double[vector.Length];
        for (var i = 0; i < vector.Length; i++)
        {
            var field = (MatchField)i;
            tf[i] = vector[i] == 1 && termFrequency is not null && Array.IndexOf(Comparisons.TermFrequencyFields, field) >= 0
                    && Comparisons.TermValue(a, field) is { } value && termFrequency(field, value) is { } f ? f : double.NaN;
        }
        var w = new double[vector.Length];
        var total = Weigh(vector, tf, w);
        return new MatchScore(Math.Round(total, 3), w, vector, NameBits(vector, tf), PlaceBits(vector, a, termFrequency), SharedNameBits(vector, a, termFrequency));
    }

    /// <summary>
    /// How small a share of the registry lives where the two records agree they live, in bits: −log2 of the share of
    /// records in the narrowest place both name (the same colonia or postal code, <see cref="Comparisons.PlaceFields"/>),
    /// never more than −log2(<see cref="MinTermFrequency"/>); 0 when they share none or it is not counted.
    /// </summary>
    private double PlaceBits(byte[] vector, MatchRecord a, Func<MatchField, string, double?>? termFrequency)
    {
        if (termFrequency is null) return 0;
        var bits = 0.0;
        foreach (var field in Comparisons.PlaceFields)
            if (vector.Length > (int)field && vector[(int)field] == 1 && Comparisons.TermValue(a, field) is { } place
                && termFrequency(field, place) is { } share && share > 0)
                bits = Math.Max(bits, -Math.Log2(Math.Max(share, MinTermFrequency)));
        return bits;
    }

    /// <summary>
    /// How rare the part of the name the two records share is, in bits: −log2 of the product of the registry's frequencies
    /// of the row's values of the name fields that agree (exactly, nearly, by nickname, or crosswise between the surnames);
    /// a field missing on either side or disagreeing adds nothing. A near or crosswise agreement is weighed as the row's own
    /// value, the rarer surname when it is unclear which one is shared: never fewer bits than the name deserves, so the
    /// namesakes it predicts (<see cref="NamesakesExpected"/>) are never too many. NaN when a frequency is not known.
    /// </summary>
    private double SharedNameBits(byte[] vector, MatchRecord a, Func<MatchField, string, double?>? termFrequency)
    {
        if (termFrequency is null || vector.Length <= (int)MatchField.MaternalSurname) return double.NaN;
        double Bits(MatchField field, string? value) =>
            value is null || termFrequency(field, value) is not { } f || f <= 0 ? double.NaN : -Math.Log2(Math.Max(f, MinTermFrequency));
        double Rarer() => Math.Max(Bits(MatchField.PaternalSurname, a.PaternalKey) is var p && double.IsNaN(p) ? 0 : p,
            Bits(MatchField.MaternalSurname, a.MaternalKey) is var m && double.IsNaN(m) ? 0 : m);
        var bits = 0.0;
        if (vector[(int)MatchField.GivenNames] is >= 1 and <= 4) bits += Bits(MatchField.GivenNames, Comparisons.TermValue(a, MatchField.GivenNames));
        var (paternal, maternal) = (vector[(int)MatchField.PaternalSurname], vector[(int)MatchField.MaternalSurname]);
        if (paternal == 3 && maternal == 3)
            bits += Bits(MatchField.PaternalSurname, a.PaternalKey) + Bits(MatchField.MaternalSurname, a.MaternalKey);
        else
        {
            if (paternal is 1 or 2) bits += Bits(MatchField.PaternalSurname, a.PaternalKey);
            if (maternal is 1 or 2) bits += Bits(MatchField.MaternalSurname, a.MaternalKey);
            if (paternal == 3 || maternal == 3) bits += Rarer();
        }
        return bits;
    }

    /// <summary>
    /// Scores a stored comparison vector (a decision's or review task's evidence) with this model:
    /// <paramref name="termFrequencies"/> per field is the frequency the "exact" level was adjusted by
    /// when the pair was scored (NaN when it was not), so a pair re-scored by another version is
    /// weighed as that version would have weighed it then.
    /// </summary>
    public double ScoreStored(byte[] vector, ReadOnlySpan<double> termFrequencies)
    {
        ArgumentNullException.ThrowIfNull(vector);
        return Weigh(vector, termFrequencies, new double[vector.Length]);
    }

    // One rule for both: level weights, the term-frequency adjustment of "exact" names, the household cap.
    private double Weigh(byte[] vector, ReadOnlySpan<double> termFrequencies, double[] w)
    {
        var total = 0.0;
        var household = 0.0;
        var postalCode = 0.0;
        var cap = HouseholdCap(vector);
        for (var i = 0; i < vector.Length; i++)
        {
            var level = vector[i];
            if (level == 0) continue;
            var field = (MatchField)i;
            var weight = Weights[i][level];
            if (level == 1 && !double.IsNaN(termFrequencies[i]))
            {
                // Splink's adjustment: replace the average u of "exact" by this value's own frequency.
                var tf = termFrequencies[i];
                var u = Comparisons.TermFrequencyOnlyLowers(field) ? Math.Max(tf, Probabilities(U, Default.U, field)[1]) : Math.Max(tf, MinTermFrequency);
                weight = Math.Log2(Probabilities(M, Default.M, field)[1] / u);
            }
            // Places nest: the same colonia or postal code is the same municipality, for a stranger as for the person
            // (P(same municipality | same colonia) is 1 either way), and a postal code holds a few colonias. Where the two
            // live is one piece of evidence — the narrowest place they agree on — not one per level of it.
            if (field == MatchField.Municipality && level == 1 && NarrowerPlaceAgrees(vector)) weight = 0;
            if (field == MatchField.Colonia && weight > 0 && postalCode > 0) weight = Math.Max(0, weight - postalCode);
            if (field == MatchField.PostalCode && level == 1) postalCode = Math.Max(0, weight);
            if (HouseholdShared(field) && weight > 0)
            {
                var room = Math.Max(0, cap - household);
                weight = Math.Min(weight, room);
                household += weight;
            }
            w[i] = Math.Round(weight, 3);
            total += weight;
        }
        return total;
    }

    /// <summary>The pair agrees on a place inside the municipality (the colonia, nearly or exactly, or the postal code): the municipality's agreement then says nothing more.</summary>
    public static bool NarrowerPlaceAgrees(ReadOnlySpan<byte> vector) =>
        vector.Length > (int)MatchField.Colonia && (vector[(int)MatchField.Colonia] is 1 or 2 || vector[(int)MatchField.PostalCode] == 1);

    /// <summary>The fields a whole household shares (where it lives, its phone): their positive evidence is capped together (<see cref="HouseholdCap"/>).</summary>
    public static bool HouseholdShared(MatchField field) =>
        field is MatchField.PostalCode or MatchField.Municipality or MatchField.Phone or MatchField.Street or MatchField.Colonia;

    /// <summary>What the score means under this model's thresholds.</summary>
    public MatchOutcome Classify(double score) =>
        score >= LinkThreshold ? MatchOutcome.Link : score >= ReviewThreshold ? MatchOutcome.Review : MatchOutcome.NonMatch;

    /// <summary>
    /// What a scored pair means: <see cref="Classify(double)"/>, except that a pair whose agreement stops at names (and
    /// the places a household shares) is at most a question for a steward. At a state's size every common name has
    /// namesakes in the same municipality; only a birth date, a CURP, another identifier, a phone or a street and
    /// number tells them apart (<see cref="SeparatesNamesakes"/>) — unless the registry's own frequencies make the full
    /// name so rare that it should hold no namesake (<see cref="NameUnique"/>).
    /// </summary>
    public MatchOutcome Classify(MatchScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        var outcome = Classify(score.Total);
        if (outcome == MatchOutcome.NonMatch || SeparatesNamesakes(score.Vector)) return outcome;
        // Names (and a municipality) are all the two share, and where they live says "elsewhere": a namesake in another
        // colonia, postal code or street is told apart by the place itself, and a steward shown the two records has
        // nothing else to decide by — no question for them.
        if (PlaceDisagrees(score.Vector)) return MatchOutcome.NonMatch;
        if (outcome == MatchOutcome.Link && NameUnique(score)) return outcome;
        // Nor when the registry holds, where they live, at least one other person expected to share the part of the name
        // the two agree on: a namesake is then likelier than the person, and the two rows give a steward nothing more.
        return NamesakesExpected(score) ? MatchOutcome.NonMatch : MatchOutcome.Review;
    }

    /// <summary>
    /// Splink's expected namesakes for a pair that agrees on names alone: the registry's records in the narrowest place both
    /// name (<see cref="MatchScore.PlaceBits"/>; all of <see cref="RegistryRecords"/> when none) times the frequency of the
    /// name parts they share (<see cref="MatchScore.SharedNameBits"/>) is at least one. JUAN GARCÍA without a second
    /// surname or a date, in a colonia of 2,000 records, has a dozen namesakes there; ROSA ISELA CANTÚ has none.
    /// </summary>
    public bool NamesakesExpected(MatchScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return RegistryRecords > 0 && !double.IsNaN(score.SharedNameBits)
            && score.SharedNameBits + score.PlaceBits <= Math.Log2(RegistryRecords);
    }

    /// <summary>The two records name different places: another municipality, postal code, colonia or street.</summary>
    public static bool PlaceDisagrees(ReadOnlySpan<byte> vector) =>
        vector.Length > (int)MatchField.Colonia
        && (vector[(int)MatchField.Municipality] == 2 || vector[(int)MatchField.PostalCode] == 2
            || vector[(int)MatchField.Colonia] == 3 || vector[(int)MatchField.Street] == 3);

    /// <summary>
    /// How surprising the full name the two records share is, in bits: −log2 of the registry's frequencies of the given
    /// name, first and second surname multiplied (Fellegi–Sunter's independence). NaN unless all three agree exactly and
    /// their frequencies are known.
    /// </summary>
    private static double NameBits(byte[] vector, ReadOnlySpan<double> termFrequencies)
    {
        var bits = 0.0;
        foreach (var field in (ReadOnlySpan<MatchField>)[MatchField.GivenNames, MatchField.PaternalSurname, MatchField.MaternalSurname])
        {
            var tf = termFrequencies[(int)field];
            if (vector[(int)field] != 1 || double.IsNaN(tf) || tf <= 0) return double.NaN;
            bits -= Math.Log2(tf);
        }
        return bits;
    }

    /// <summary>
    /// The registry's size in records when this model was taken for a chunk (<see cref="AtSize"/>); 0 when unknown.
    /// </summary>
    public long RegistryRecords { get; init; }

    /// <summary>
    /// A pair that agrees on names alone links only when the registry makes a namesake unlikely: its size times the
    /// frequency of the full name (<see cref="MatchScore.NameBits"/>) — the other holders of that name it should hold —
    /// is below this. 0.01: at most one such link in a hundred could be a namesake.
    /// </summary>
    public double MaxExpectedNamesakes { get; init; } = 0.01;

    /// <summary>
    /// The full name the pair shares is rare enough that it has no namesake to fear where they live: the registry's
    /// records in the colonia or postal code both records name (<see cref="MatchScore.PlaceBits"/>; all of
    /// <see cref="RegistryRecords"/> when they share none) times the frequency of the full name is below
    /// <see cref="MaxExpectedNamesakes"/>. A JUANA MARTÍNEZ CANTÚ in a colonia of 2,000 records is told from the registry's
    /// other JUANA MARTÍNEZ CANTÚs by the colonia itself; what the colonia cannot tell apart is a namesake living in it.
    /// </summary>
    public bool NameUnique(MatchScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return RegistryRecords > 0 && !double.IsNaN(score.NameBits) && MaxExpectedNamesakes > 0
            && score.NameBits + score.PlaceBits >= Math.Log2(RegistryRecords / MaxExpectedNamesakes);
    }

    /// <summary>True when the score is high enough to link and the pair agrees on something that separates namesakes.</summary>
    public bool Links(MatchScore score) => Classify(score) == MatchOutcome.Link;

    /// <summary>
    /// The pair agrees (exactly or nearly) on a field that differs between namesakes: the birth date (exact, day and month
    /// swapped, year off by one, one part differing), the CURP (equal, nearly equal, or consistent with the other record's
    /// name and birth date), another personal identifier, the phone, or the street with its house number. Postal code and municipality do
    /// not: thousands share them.
    /// </summary>
    public static bool SeparatesNamesakes(byte[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        return vector[(int)MatchField.BirthDate] is >= 1 and <= 4
            // Level 6 of a CURP checked against the other record is also "consistent, but its birth date could not be checked".
            || vector[(int)MatchField.Curp] is 1 or 2 or 3 or 5
            || vector[(int)MatchField.OtherId] is 1 or 2
            || vector[(int)MatchField.Phone] == 1
            || vector[(int)MatchField.Street] == 1;
    }

    /// <summary>
    /// Starting values for an empty registry (no data to train on yet), chosen from published
    /// error rates of Mexican administrative records and checked on the synthetic population.
    /// </summary>
    public static MatchModel Default { get; } = new()
    {
        Version = "fs-default-v4",
        M = new Dictionary<string, double[]>
        {
            ["curp"] = [0, 0.80, 0.08, 0.07, 0.05, 0.55, 0.25, 0.20],
            ["given_names"] = [0, 0.80, 0.08, 0.06, 0.03, 0.015, 0.005, 0.01],
            ["paternal_surname"] = [0, 0.88, 0.07, 0.02, 0.01, 0.02],
            ["maternal_surname"] = [0, 0.85, 0.07, 0.03, 0.05],
            ["birth_date"] = [0, 0.862, 0.03, 0.03, 0.076, 0.002],
            ["sex"] = [0, 0.97, 0.03],
            ["postal_code"] = [0, 0.70, 0.30],
            ["municipality"] = [0, 0.85, 0.15],
            ["phone"] = [0, 0.50, 0.50],
            ["other_id"] = [0, 0.90, 0.06, 0.04],
            ["street"] = [0, 0.60, 0.20, 0.20],
            // Noisier than the municipality (m of "different" 0.15): agencies write a colonia their own way (AMPLIACIÓN, a
            // sector, an unofficial name), people move within the municipality, a kitchen's list may name the kitchen's.
            ["colonia"] = [0, 0.70, 0.08, 0.22],
        },
        U = new Dictionary<string, double[]>
        {
            ["curp"] = [0, 0.000001, 0.0001, 0.00001, 0.999889, 0.02, 0.03, 0.95],
            ["given_names"] = [0, 0.02, 0.002, 0.005, 0.003, 0.02, 0.00002, 0.95],
            ["paternal_surname"] = [0, 0.015, 0.005, 0.002, 0.02, 0.958],
            ["maternal_surname"] = [0, 0.015, 0.005, 0.002, 0.978],
            ["birth_date"] = [0, 0.00005, 0.00005, 0.0001, 0.003, 0.99685],
            ["sex"] = [0, 0.5, 0.5],
            ["postal_code"] = [0, 0.01, 0.99],
            ["municipality"] = [0, 0.15, 0.85],
            ["phone"] = [0, 0.0005, 0.9995],
            ["other_id"] = [0, 0.000001, 0.00001, 0.999989],
            ["street"] = [0, 0.002, 0.01, 0.988],
            ["colonia"] = [0, 0.01, 0.005, 0.985],
        },
    };
}

public enum MatchOutcome
{
    NonMatch,
    Review,
    Link,
}

/// <summary>A scored pair: total match weight, per-field weights and the comparison vector (the evidence).</summary>
/// <param name="NameBits">How rare the full name both records carry is (−log2 of its frequency in the registry); NaN when the names do not all agree exactly or are not counted.</param>
/// <param name="SharedNameBits">How rare the part of the name the two records agree on is (−log2 of the product of its fields' frequencies); NaN when not counted.</param>
/// <param name="PlaceBits">How small a share of the registry lives in the narrowest place (colonia, postal code) both records name, in bits; 0 when none.</param>
public sealed record MatchScore(double Total, double[] FieldWeights, byte[] Vector, double NameBits = double.NaN, double PlaceBits = 0, double SharedNameBits = double.NaN)
{
    /// <summary>Evidence as stored with the decision: field → level name and weight.</summary>
    public IReadOnlyDictionary<string, FieldEvidence> Evidence() =>
        Comparisons.Fields.ToDictionary(
            f => MatchModel.Key(f),
            f => new FieldEvidence(Comparisons.LevelNames[f][Vector[(int)f]], FieldWeights[(int)f]));

    /// <summary>
    /// <see cref="Evidence"/> as the JSON stored with decisions, reviews and merges — the same text the
    /// serializer gives it ({"curp": {"level": …, "weight": …}, …}), written directly: every linked row
    /// and review task has one, and it is written under the resolution lock.
    /// </summary>
    public string EvidenceJson() => Storage.JsonText.Write(this, static (json, score) =>
    {
        json.WriteStartObject();
        foreach (var f in Comparisons.Fields)
        {
            json.WriteStartObject(MatchModel.Key(f));
            json.WriteString("level", Comparisons.LevelNames[f][score.Vector[(int)f]]);
            json.WriteNumber("weight", score.FieldWeights[(int)f]);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    });
}

public sealed record FieldEvidence(string Level, double Weight);
