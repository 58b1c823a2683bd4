using System.Globalization;
using Registry.Feeds;
using Registry.SyntheticPopulation;

namespace Registry.Benchmarks;

/// <summary>
/// `make synth`: writes a synthetic population's agency extracts (inbox layout: one folder per feed)
/// with ground truth into a folder, for the demo or by hand. Feeds default to the csv-drop feeds
/// the bench uses (ssa-consultas, dif-alimentaria); <c>--feeds all</c> takes every csv-drop feed
/// of deploy/feeds except FEBRL, <c>--feeds a,b</c> names them.
/// </summary>
public static class SynthCommand
{
    public static int Run(string[] args)
    {
        var output = BenchArgs.String(args, "--out", "");
        if (output.Length == 0)
        {
            Console.Error.WriteLine("usage: Benchmarks synth --out FOLDER [--records N] [--profile clean|typical|hard|colombia|sparse] [--seed N] [--feeds all|code,code]");
            return 2;
        }
        var root = BenchArgs.RepoRoot();
        var catalog = FeedCatalog.LoadFolder(Path.Combine(root, "deploy", "feeds"));
        var profile = ErrorProfile.Named(BenchArgs.String(args, "--profile", "typical"));
        var colombia = profile.Country == Countries.Colombia;
        var feedArg = BenchArgs.String(args, "--feeds", colombia ? "medellin-salud,medellin-acompanamiento" : "ssa-consultas,dif-alimentaria");
        var feeds = feedArg == "all"
            ? SyntheticDataset.AgencyFeeds(catalog, profile.Country)
            : feedArg.Split(',').Select(code => catalog.Find(code.Trim()) ?? throw new ArgumentException($"no feed '{code}' in deploy/feeds")).ToList();
        var options = new DatasetOptions
        {
            Records = BenchArgs.Int(args, "--records", 10_000),
            Profile = profile,
            Seed = BenchArgs.Int(args, "--seed", 20261123),
            Feeds = feeds,
        };
        var summary = SyntheticDataset.Write(output, options);
        foreach (var e in summary.Extracts)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{e.FeedCode,-20} {e.FileName,-36} {e.Rows,8:N0} rows"));
        Console.WriteLine($"{summary.Records:N0} rows of {summary.Persons:N0} persons in {summary.Households:N0} households, profile {options.Profile.Name}, seed {options.Seed}");
        Console.WriteLine($"ground truth: {summary.GroundTruthPath}; persons: {summary.PersonsPath}");
        return 0;
    }
}
