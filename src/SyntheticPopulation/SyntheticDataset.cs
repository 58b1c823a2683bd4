using System.Globalization;
using System.Text;
using Registry.Feeds;

namespace Registry.SyntheticPopulation;

/// <summary>What to generate.</summary>
public sealed record DatasetOptions
{
    /// <summary>Service rows across all extracts (the population grows until it has them).</summary>
    public int Records { get; init; } = 10_000;
    public ErrorProfile Profile { get; init; } = ErrorProfile.Typical;
    public int Seed { get; init; } = 1;
    /// <summary>csv-drop feeds to write extracts for (their definitions decide the format).</summary>
    public required IReadOnlyList<FeedDefinition> Feeds { get; init; }
    /// <summary>The generator's "today": ages, and service dates from 1 January of its year up to it. Fixed, so output never depends on the clock.</summary>
    public DateOnly Today { get; init; } = new(2026, 11, 1);
}

/// <summary>One extract file written.</summary>
public sealed record WrittenExtract(string FeedCode, string FileName, string Path, int Rows);

public sealed record DatasetSummary(IReadOnlyList<Person> People, int Households, IReadOnlyList<WrittenExtract> Extracts, string GroundTruthPath, string PersonsPath)
{
    public int Persons => People.Count;

    public int Records => Extracts.Sum(e => e.Rows);
}

/// <summary>
/// A synthetic population and its agencies' extracts, with ground truth. Layout of the output folder:
/// <c>&lt;feed code&gt;/&lt;feed code&gt;-2026-T&lt;quarter&gt;.csv</c> (one extract per quarter of service
/// dates, rows sorted by service date, so one person's rows spread over files and chunks — an inbox
/// layout), <c>ground-truth.csv</c> (feed, file, row → true person id, household, and the errors
/// that row carries) and <c>persons.csv</c> (the true people). Same options and seed → same bytes.
/// </summary>
public static class SyntheticDataset
{
    public const string GroundTruthFile = "ground-truth.csv";
    public const string PersonsFile = "persons.csv";

    /// <summary>The catalog's feeds the generator writes extracts for: every csv-drop feed but FEBRL's (a fixed public file).</summary>
    public static List<FeedDefinition> AgencyFeeds(FeedCatalog catalog, string country = Countries.Mexico)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return [.. catalog.All.Where(f => f.Kind == FeedKinds.CsvDrop && f.Code != "febrl-registro" && f.Country == country)];
    }

    public static DatasetSummary Write(string folder, DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Records < 1) throw new ArgumentOutOfRangeException(nameof(options), "Records must be at least 1");
        var feeds = options.Feeds.Where(f => f.Kind == FeedKinds.CsvDrop).OrderBy(f => f.Code, StringComparer.Ordinal).ToList();
        if (feeds.Count == 0) throw new ArgumentException("no csv-drop feed to write", nameof(options));
        if (feeds.FirstOrDefault(f => f.Country != options.Profile.Country) is { } foreign)
            throw new ArgumentException($"feed {foreign.Code} is of country {foreign.Country}, the profile {options.Profile.Name} draws a population of {options.Profile.Country}", nameof(options));

        var random = new Random(options.Seed);
        var population = new PopulationGenerator(random, options.Today, options.Profile.Country);
        var errors = new RecordErrors(random, options.Profile, options.Today, options.Profile.Country);
        var rows = feeds.ToDictionary(f => f.Code, _ => new List<ExtractRow>(), StringComparer.Ordinal);
        var ids = feeds.ToDictionary(f => f.Code, _ => 0, StringComparer.Ordinal);
        var persons = new List<Person>();
        var households = 0;
        var total = 0;
        var sequence = 0;

        while (total < options.Records)
        {
            var household = population.NextHousehold();
            households++;
            persons.AddRange(household.Members);
            foreach (var feed in feeds)
            {
                string? householdFolio = null;
                var householdTakesPart = random.NextDouble() < 0.45; // social programmes enrol whole families
                foreach (var person in household.Members)
                {
                    var services = ServicesFor(feed, person, householdTakesPart, random, options.Today);
                    if (services.Count == 0) continue;
                    householdFolio ??= "FAM-" + random.Next(10_000, 99_999).ToString(CultureInfo.InvariantCulture) + "-" + household.Id[1..];
                    var prefix = Prefix(feed);
                    var registrations = new List<(string Id, ReportedIdentity Identity)>
                    {
                        (prefix + (++ids[feed.Code]).ToString("D7", CultureInfo.InvariantCulture), errors.Report(person)),
                    };
                    if (random.NextDouble() < options.Profile.DuplicateRegistration)
                    {
                        registrations.Add((prefix + (++ids[feed.Code]).ToString("D7", CultureInfo.InvariantCulture), errors.Report(person)));
                        if (services.Count == 1) services.Add(Draw(feed, person, random, options.Today));
                    }
                    var used = new HashSet<(string, ServiceKind, DateOnly)>();
                    for (var i = 0; i < services.Count; i++)
                    {
                        var (service, date) = services[i];
                        // The duplicate registration gets the second service and half of the rest.
                        var reg = registrations.Count > 1 && (i == 1 || i > 1 && random.NextDouble() < 0.5) ? registrations[1] : registrations[0];
                        while (!used.Add((reg.Id, service, date))) date = date.AddDays(1) <= options.Today ? date.AddDays(1) : date.AddDays(-30);
                        var identity = reg.Identity;
                        if (random.NextDouble() < options.Profile.Retyped)
                        {
                            var retyped = errors.Report(person);
                            identity = retyped with { Errors = [.. retyped.Errors, "retyped"] };
                        }
                        var status = random.NextDouble() < 0.95 ? StatusDone(feed) : StatusOther(feed);
                        rows[feed.Code].Add(new ExtractRow(reg.Id, householdFolio, person, identity, service, date, status, sequence++));
                        total++;
                    }
                }
            }
        }

        // Exactly the requested number of rows: the last ones generated are dropped.
        var excess = total - options.Records;
        foreach (var feed in feeds.AsEnumerable().Reverse())
        {
            var list = rows[feed.Code];
            var cut = Math.Min(excess, list.Count);
            list.RemoveRange(list.Count - cut, cut);
            excess -= cut;
        }

        Directory.CreateDirectory(folder);
        var written = new List<WrittenExtract>();
        var truth = new StringBuilder("feed,file,row,agency_person_id,person_id,household_id,errors\n");
        foreach (var feed in feeds)
        {
            var feedFolder = Path.Combine(folder, feed.Code);
            Directory.CreateDirectory(feedFolder);
            var writer = new ExtractWriter(feed);
            foreach (var quarter in rows[feed.Code].GroupBy(r => (r.ServiceDate.Month - 1) / 3 + 1).OrderBy(g => g.Key))
            {
                var fileName = string.Create(CultureInfo.InvariantCulture, $"{feed.Code}-{options.Today.Year}-T{quarter.Key}.csv");
                var ordered = quarter.OrderBy(r => r.ServiceDate).ThenBy(r => r.Sequence).ToList();
                var path = Path.Combine(feedFolder, fileName);
                writer.Write(path, ordered);
                written.Add(new WrittenExtract(feed.Code, fileName, path, ordered.Count));
                for (var i = 0; i < ordered.Count; i++)
                {
                    var r = ordered[i];
                    truth.Append(CultureInfo.InvariantCulture,
                        $"{feed.Code},{fileName},{i + 1},{r.AgencyPersonId},{r.Person.Id},{r.Person.HouseholdId},{(r.Identity.Errors.Count == 0 ? "none" : string.Join('+', r.Identity.Errors))}\n");
                }
            }
        }
        var truthPath = Path.Combine(folder, GroundTruthFile);
        File.WriteAllText(truthPath, truth.ToString(), new UTF8Encoding(false));

        var people = new StringBuilder("person_id,household_id,relationship,curp,given_names,paternal_surname,maternal_surname,sex,birth_date,birth_state,municipality,poligono,colonia,postal_code,street,house_number,phone\n");
        foreach (var p in persons)
        {
            people.Append(CultureInfo.InvariantCulture,
                $"{p.Id},{p.HouseholdId},{p.Relationship},{(p.DocumentNumber is null ? p.Curp : p.DocumentType + ":" + p.DocumentNumber)},{p.GivenNames},{p.Paternal},{p.Maternal},{p.Sex},{p.BirthDate:yyyy-MM-dd},{p.BirthState},{p.Municipality.Name},{p.Poligono},{p.Colonia},{p.PostalCode},{p.Street},{p.HouseNumber},{p.Phone}\n");
        }
        var personsPath = Path.Combine(folder, PersonsFile);
        File.WriteAllText(personsPath, people.ToString(), new UTF8Encoding(false));
        return new DatasetSummary(persons, households, written, truthPath, personsPath);
    }

    /// <summary>The services one person receives from one feed's agency this year (empty: not a client).</summary>
    private static List<(ServiceKind, DateOnly)> ServicesFor(FeedDefinition feed, Person person, bool householdTakesPart, Random random, DateOnly today)
    {
        var result = new List<(ServiceKind, DateOnly)>();
        int count;
        switch (feed.Sector)
        {
            case "health":
                if (random.NextDouble() >= 0.55) return result;
                count = 1 + Geometric(random, 0.45, 5);
                break;
            case "social":
                // Heads always, others mostly, when the family is enrolled.
                if (!householdTakesPart || person.Relationship != Relationship.Head && random.NextDouble() >= 0.8) return result;
                count = 1 + Geometric(random, 0.55, 3);
                break;
            default:
                if (random.NextDouble() >= 0.2) return result;
                count = 1 + Geometric(random, 0.7, 1);
                break;
        }
        for (var i = 0; i < count; i++)
        {
            var drawn = Draw(feed, person, random, today);
            if (drawn.Service is null) return [];
            result.Add(drawn);
        }
        return result;
    }

    private static (ServiceKind Service, DateOnly Date) Draw(FeedDefinition feed, Person person, Random random, DateOnly today)
    {
        var age = person.AgeOn(today);
        var fitting = (feed.Country == Countries.Colombia ? ColombiaCatalogs.ServicesOf(feed.Sector) : Catalogs.ServicesOf(feed.Sector)).Where(s => age >= s.MinAge && age <= s.MaxAge && (s.Sex is null || s.Sex == person.Sex)).ToList();
        if (fitting.Count == 0) return (null!, default);
        var service = new WeightedList<ServiceKind>(fitting.Select(s => (s, s.Weight))).Pick(random);
        var start = new DateOnly(today.Year, 1, 1);
        var date = start.AddDays(random.Next(today.DayNumber - start.DayNumber));
        return (service, date);
    }

    private static int Geometric(Random random, double p, int max)
    {
        var n = 0;
        while (n < max && random.NextDouble() > p) n++;
        return n;
    }

    private static string Prefix(FeedDefinition feed) => feed.Agency.Code.Split('-')[0] + "-";

    private static string StatusDone(FeedDefinition feed) => feed.Sector switch
    {
        "health" => "ATENDIDO",
        "social" => "ENTREGADO",
        _ => "CONCLUIDO",
    };

    private static string StatusOther(FeedDefinition feed) => feed.Sector switch
    {
        "health" => "CANCELADO",
        "social" => "PENDIENTE",
        _ => "EN PROCESO",
    };
}
