using Registry.Contracts;
using Registry.Feeds;
using Registry.Ingest.Feeds;
using Registry.Normalization;
using Registry.SyntheticPopulation;
using Registry.Tests.Feeds;

namespace Registry.Tests.SyntheticPopulation;

/// <summary>
/// The generator behind `make bench-accuracy`: deterministic, correct CURPs, extracts the real feed
/// reader accepts, and error profiles that deliver the rates they claim — measured by comparing the
/// extracts (parsed by the feeds' own reader) with the true people, not by trusting the generator's labels.
/// </summary>
public sealed class SyntheticDatasetTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "synth-tests-" + Guid.NewGuid().ToString("N")[..8]);
    private static readonly FeedCatalog Feeds = FeedCatalog.LoadFolder(Path.Combine(FeedCatalogTests.RepoRoot(), "deploy", "feeds"));
    private static readonly FeedDefinition[] Agencies = [Feeds.Find("ssa-consultas")!, Feeds.Find("dif-alimentaria")!];

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private DatasetSummary Generate(string name, ErrorProfile profile, int records, int seed) =>
        SyntheticDataset.Write(Path.Combine(_work, name), new DatasetOptions { Records = records, Profile = profile, Seed = seed, Feeds = Agencies });

    /// <summary>Every row of every extract, as the real reader maps it, beside the true person.</summary>
    private static List<(SourceRow Row, Person Truth, string Errors)> Read(DatasetSummary summary)
    {
        var people = summary.People.ToDictionary(p => p.Id);
        var truth = File.ReadLines(summary.GroundTruthPath).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => (f[0], f[1], int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture)), f => (Person: people[f[4]], Errors: f[6]));
        var rows = new List<(SourceRow, Person, string)>();
        foreach (var extract in summary.Extracts)
        {
            foreach (var parsed in CsvExtractReader.Read(extract.Path, Feeds.Find(extract.FeedCode)!))
            {
                Assert.True(parsed.Rejected is null, $"{extract.FileName} row {parsed.Rejected?.RowNumber}: {parsed.Rejected?.Reason}");
                var t = truth[(extract.FeedCode, extract.FileName, parsed.Accepted!.RowNumber)];
                rows.Add((parsed.Accepted, t.Person, t.Errors));
            }
        }
        Assert.Equal(summary.Records, rows.Count);
        return rows;
    }

    [Fact]
    public void The_same_seed_writes_the_same_bytes_and_another_seed_does_not()
    {
        var a = Generate("a", ErrorProfile.Hard, 3_000, seed: 7);
        var b = Generate("b", ErrorProfile.Hard, 3_000, seed: 7);
        var c = Generate("c", ErrorProfile.Hard, 3_000, seed: 8);

        var files = a.Extracts.Select(e => Path.Combine(e.FeedCode, e.FileName)).Append(SyntheticDataset.GroundTruthFile).Append(SyntheticDataset.PersonsFile).ToList();
        Assert.True(files.Count >= 6);
        foreach (var file in files)
            Assert.Equal(File.ReadAllBytes(Path.Combine(_work, "a", file)), File.ReadAllBytes(Path.Combine(_work, "b", file)));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(_work, "a", SyntheticDataset.GroundTruthFile)), File.ReadAllBytes(Path.Combine(_work, "c", SyntheticDataset.GroundTruthFile)));
        Assert.Equal(3_000, a.Records);
    }

    [Fact]
    public void Every_person_has_a_unique_valid_CURP_that_agrees_with_their_name_birth_date_and_sex()
    {
        var summary = Generate("people", ErrorProfile.Clean, 5_000, seed: 11);

        Assert.All(summary.People, p =>
        {
            Assert.True(Curp.IsValid(p.Curp), $"{p.Id} {p.Curp}");
            var check = Curp.Check(p.Curp, p.Paternal, p.Maternal, p.GivenNames, p.BirthDate, p.Sex == 'M' ? Sex.Female : Sex.Male);
            Assert.True(check.Consistent, $"{p.Id} {p.Curp} {p.GivenNames} {p.Paternal} {p.Maternal} {p.BirthDate}");
        });
        Assert.Equal(summary.People.Count, summary.People.Select(p => p.Curp).Distinct().Count());
    }

    [Fact]
    public void Children_carry_their_fathers_paternal_and_their_mothers_paternal_surname()
    {
        var summary = Generate("families", ErrorProfile.Clean, 5_000, seed: 12);
        var couples = 0;
        foreach (var household in summary.People.GroupBy(p => p.HouseholdId))
        {
            var father = household.FirstOrDefault(p => p.Relationship != Relationship.Child && p.Sex == 'H');
            var mother = household.FirstOrDefault(p => p.Relationship != Relationship.Child && p.Sex == 'M');
            if (father is null || mother is null) continue;
            var children = household.Where(p => p.Relationship == Relationship.Child).ToList();
            Assert.Equal(children.Count, children.Select(c => c.GivenNames).Distinct().Count());
            foreach (var child in children)
            {
                couples++;
                Assert.Equal(father.Paternal, child.Paternal);
                Assert.Equal(mother.Paternal, child.Maternal);
                Assert.True(child.BirthDate > mother.BirthDate.AddYears(16), $"{child.Id} born before its mother was 17");
            }
        }
        Assert.True(couples > 500);
        // Frequencies are skewed like Mexican surnames: HERNÁNDEZ is far more common than ZOZAYA.
        Assert.True(summary.People.Count(p => p.Paternal == "HERNÁNDEZ") > 20 * Math.Max(1, summary.People.Count(p => p.Paternal == "ZOZAYA")));
        Assert.Contains(summary.People, p => p.GivenNames == "MARÍA GUADALUPE");
    }

    [Fact]
    public void Clean_extracts_are_accepted_whole_by_the_feed_reader_and_carry_the_true_data()
    {
        var rows = Read(Generate("clean", ErrorProfile.Clean, 4_000, seed: 13));

        Assert.All(rows, x =>
        {
            Assert.Equal(x.Truth.GivenNames, x.Row.GivenNames);
            Assert.Equal(x.Truth.Paternal, x.Row.PaternalSurname);
            Assert.Equal(x.Truth.Maternal, x.Row.MaternalSurname);
            Assert.Equal(x.Truth.BirthDate, x.Row.BirthDate);
            Assert.Equal(x.Truth.Sex.ToString(), x.Row.Sex);
            if (x.Row.Curp is not null)
            {
                Assert.Equal(x.Truth.Curp, x.Row.Curp);
                Assert.True(Curp.IsValid(x.Row.Curp));
            }
        });
        var withCurp = rows.Count(x => x.Row.Curp is not null) / (double)rows.Count;
        Assert.InRange(withCurp, 0.85, 0.95); // clean: only the 10 % of CURPs never captured are missing
        // The same person appears several times in an extract and across agencies.
        Assert.Contains(rows.GroupBy(x => x.Truth.Id), g => g.Select(x => x.Row.AgencyPersonId![..3]).Distinct().Count() == 2);
        Assert.Contains(rows.GroupBy(x => (x.Truth.Id, x.Row.AgencyPersonId)), g => g.Count() > 1);
    }

    [Fact]
    public void Every_csv_drop_feeds_clean_extracts_are_accepted_whole_including_full_name_columns()
    {
        var feeds = SyntheticDataset.AgencyFeeds(Feeds);
        Assert.Contains(feeds, f => f.Fields.ContainsKey(CanonicalFields.FullName));
        var summary = SyntheticDataset.Write(Path.Combine(_work, "all-feeds"),
            new DatasetOptions { Records = 3_000, Profile = ErrorProfile.Clean, Seed = 5, Feeds = feeds });

        foreach (var feed in feeds)
        {
            var extracts = summary.Extracts.Where(e => e.FeedCode == feed.Code).ToList();
            Assert.NotEmpty(extracts);
            foreach (var extract in extracts)
            foreach (var parsed in CsvExtractReader.Read(extract.Path, feed))
            {
                Assert.True(parsed.Rejected is null, $"{feed.Code} {extract.FileName} row {parsed.Rejected?.RowNumber}: {parsed.Rejected?.Reason}");
                Assert.False(string.IsNullOrWhiteSpace(parsed.Accepted!.GivenNames), $"{feed.Code}: no given names");
                Assert.False(string.IsNullOrWhiteSpace(parsed.Accepted.PaternalSurname), $"{feed.Code}: no paternal surname");
            }
        }
    }

    public static TheoryData<string> Profiles => new() { "clean", "typical", "hard" };

    [Theory]
    [MemberData(nameof(Profiles))]
    public void A_profile_produces_the_error_rates_it_claims(string name)
    {
        var profile = ErrorProfile.Named(name);
        var all = Read(Generate(name, profile, 30_000, seed: 21));
        // One row per agency registration: its rows repeat the same typed identity, so counting rows
        // would weigh a registration by its number of services (and make the measure noisy).
        var rows = all.GroupBy(x => x.Row.AgencyPersonId).Select(g => g.First()).ToList();

        static void Near(double expected, double measured, string what) =>
            Assert.True(Math.Abs(measured - expected) <= Math.Max(0.015, 0.25 * expected),
                $"{what}: measured {measured:P2}, the profile claims {expected:P2}");
        double Share<T>(IEnumerable<T> eligible, Func<T, bool> hit)
        {
            var list = eligible.ToList();
            Assert.True(list.Count > 300, "too few eligible rows to measure");
            return list.Count(hit) / (double)list.Count;
        }
        static string Fold(string? s) => TextNormalizer.Normalize(s);

        Near(profile.CurpMissing, Share(rows, x => x.Row.Curp is null), "CURP missing");
        Near(profile.CurpTypo + (1 - profile.CurpTypo) * profile.CurpOcr,
            Share(rows.Where(x => x.Row.Curp is not null), x => x.Row.Curp != x.Truth.Curp), "CURP mistyped or misread");
        Near(profile.MaternalMissing, Share(rows, x => x.Row.MaternalSurname is null), "maternal surname missing");
        Near((1 - profile.MaternalMissing) * profile.SurnamesSwapped,
            Share(rows.Where(x => x.Truth.Paternal != x.Truth.Maternal),
                x => Fold(x.Row.PaternalSurname) == Fold(x.Truth.Maternal) && Fold(x.Row.MaternalSurname) == Fold(x.Truth.Paternal)), "surnames swapped");
        Near(profile.DobMissing, Share(rows, x => x.Row.BirthDate is null), "birth date missing");
        Near((1 - profile.DobMissing) * profile.DobDayMonthSwap,
            Share(rows.Where(x => x.Truth.BirthDate.Day <= 12 && x.Truth.BirthDate.Day != x.Truth.BirthDate.Month && x.Truth.BirthDate.Year < 2026),
                x => x.Row.BirthDate == new DateOnly(x.Truth.BirthDate.Year, x.Truth.BirthDate.Day, x.Truth.BirthDate.Month)), "day and month swapped");
        Near((1 - profile.DobMissing) * profile.DobYear,
            Share(rows.Where(x => x.Truth.BirthDate.Day > 12), x => x.Row.BirthDate is { } b && Math.Abs(b.Year - x.Truth.BirthDate.Year) == 1 &&
                b.Month == x.Truth.BirthDate.Month && b.Day == x.Truth.BirthDate.Day), "birth year ±1");
        Near(profile.Nickname,
            Share(rows.Where(x => x.Truth.GivenNames is "JOSÉ" or "MARÍA GUADALUPE" or "GUADALUPE" or "JESÚS" or "FRANCISCO" or "ANTONIO" or "GUILLERMO"),
                x => PersonName.Nicknames.ContainsKey(Fold(x.Row.GivenNames))), "nickname");
        Near((1 - profile.Nickname) * profile.DropMariaJose * (1 - profile.NameTypo / 3),
            Share(rows.Where(x => x.Truth.GivenNames is "MARÍA GUADALUPE"),
                x => Fold(x.Row.GivenNames) == Fold(x.Truth.GivenNames.Split(' ')[1])), "MARÍA/JOSÉ dropped");
        Near(profile.Retyped, Share(all.GroupBy(x => x.Row.AgencyPersonId).SelectMany(g => g.Skip(1)), x => x.Errors.Contains("retyped", StringComparison.Ordinal)), "rows typed again");
        // Duplicate registrations: one person under two ids of the same agency.
        Near(profile.DuplicateRegistration,
            Share(all.GroupBy(x => (x.Truth.Id, Agency: x.Row.AgencyPersonId![..3])), g => g.Select(x => x.Row.AgencyPersonId).Distinct().Count() > 1),
            "duplicate registrations");
        if (profile == ErrorProfile.Clean)
            Assert.All(all, x => Assert.True(x.Errors is "none" or "curp-missing", x.Errors));
    }

    [Fact]
    public void A_sparse_population_has_no_CURP_often_no_birth_date_and_links_only_by_name_and_address()
    {
        var profile = ErrorProfile.Sparse;
        var feeds = profile.AccuracyFeeds.Select(code => Feeds.Find(code)!).ToList();
        var summary = SyntheticDataset.Write(Path.Combine(_work, "sparse"), new DatasetOptions { Records = 6_000, Profile = profile, Seed = 5, Feeds = feeds });
        var rows = Read(summary);
        var registrations = rows.GroupBy(x => x.Row.AgencyPersonId).Select(g => g.First()).ToList();
        Assert.All(rows, r => Assert.Null(r.Row.Curp));
        var dateless = registrations.Count(r => r.Row.BirthDate is null) / (double)registrations.Count;
        Assert.InRange(dateless, 0.35, 0.45);
        // One agency writes the whole name in one column (split by the reader), the other the address the census took.
        Assert.Contains(rows, r => r.Row.FullName is not null);
        Assert.Contains(rows, r => r.Row.Street is not null && r.Row.PostalCode is not null);
        // The address carries its own errors, named in the truth.
        Assert.Contains(rows, r => r.Errors.Contains("phone-missing", StringComparison.Ordinal) && r.Row.Phone is null && r.Truth.Phone is not null);
        Assert.Contains(rows, r => r.Errors.Contains("street-variant", StringComparison.Ordinal) && r.Row.Street is not null && r.Row.Street != r.Truth.Street);
        Assert.All(rows.Where(r => r.Row.Phone is not null && !r.Errors.Contains("phone-other", StringComparison.Ordinal)), r => Assert.Equal(r.Truth.Phone, r.Row.Phone));
    }

    [Fact]
    public void A_Colombian_population_carries_the_document_of_its_age_and_its_earlier_one_keeps_the_NUIP()
    {
        var medellin = new[] { Feeds.Find("medellin-salud")!, Feeds.Find("medellin-acompanamiento")! };
        var summary = SyntheticDataset.Write(Path.Combine(_work, "co"), new DatasetOptions { Records = 4_000, Profile = ErrorProfile.Colombia, Seed = 3, Feeds = medellin });
        var today = new DateOnly(2026, 11, 1);
        Assert.All(summary.People, p =>
        {
            var age = p.AgeOn(today);
            Assert.Equal(age < 7 ? "RC" : age < 18 ? "TI" : "CC", p.DocumentType);
            if (p.BirthDate.Year >= 2000 && age >= 7) Assert.Equal(p.DocumentNumber, p.EarlierDocumentNumber);
        });
        Assert.Equal(summary.People.Count, summary.People.Select(p => p.DocumentNumber).Distinct().Count());
        // Read back by the feeds' own reader: Colombian territory and typed documents, no CURP.
        var rows = Read(summary);
        Assert.All(rows, r => Assert.Null(r.Row.Curp));
        Assert.Contains(rows, r => r.Row.OtherId is { } id && id.StartsWith("TI:", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Errors.Contains("document-earlier", StringComparison.Ordinal) && r.Row.OtherId == r.Truth.EarlierDocumentType + ":" + r.Truth.EarlierDocumentNumber);
        Assert.All(rows.Where(r => r.Row.Poligono is not null), r => Assert.Equal(r.Truth.Poligono, r.Row.Poligono));
        Assert.Throws<ArgumentException>(() => SyntheticDataset.Write(Path.Combine(_work, "mixed"),
            new DatasetOptions { Records = 100, Profile = ErrorProfile.Hard, Seed = 3, Feeds = medellin }));
    }
}
