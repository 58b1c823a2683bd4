using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Registry.Contracts;
using Registry.Persons;
using Registry.SyntheticPopulation;

namespace Registry.Benchmarks;

/// <summary>
/// `golden`: survivorship alone, in memory. The synthetic population's rows (every sector's feed, PROFILE
/// errors) grouped into persons of one to four records by their CURP (the rest in seeded random groups),
/// each person's golden record computed as a resolver does. Prints time and bytes allocated per person,
/// and a digest of every document, display column and anchor: equal digests mean equal golden records.
/// </summary>
public static class GoldenBenchmark
{
    public static int Run(string[] args)
    {
        var records = BenchArgs.Int(args, "--records", 200_000);
        var (catalog, extracts) = BlocksBenchmark.SynthExtracts(records, ErrorProfile.Named(BenchArgs.String(args, "--profile", "hard")), 20261124);
        var random = new Random(7);
        var persons = new List<List<GoldenSource>>();
        var byCurp = new Dictionary<string, List<GoldenSource>>(StringComparer.Ordinal);
        var received = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var n = 0;
        foreach (var (feedCode, rows) in extracts)
        {
            var sector = catalog.Find(feedCode)!.Sector;
            foreach (var row in rows)
            {
                var source = new GoldenSource(new Guid(n, 0, 0, new byte[8]), row, sector, received.AddMinutes(n % 977));
                n++;
                if (row.Curp is { Length: 18 } curp)
                {
                    if (!byCurp.TryGetValue(curp, out var list)) persons.Add(byCurp[curp] = list = []);
                    if (list.Count < 4) { list.Add(source); continue; }
                }
                if (persons.Count > 0 && random.Next(3) == 0 && persons[^1].Count < 4) persons[^1].Add(source);
                else persons.Add([source]);
            }
        }
        foreach (var p in persons.Take(1000)) GoldenRecordWriter.Compute(p); // warm up
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        var golden = new GoldenWrite[persons.Count];
        for (var i = 0; i < persons.Count; i++) golden[i] = GoldenRecordWriter.Compute(persons[i]);
        sw.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        foreach (var (document, display, anchor) in golden)
            digest.AppendData(Encoding.UTF8.GetBytes(document + "|" + string.Join("|", display) + "|" + anchor + "\n"));
        Console.WriteLine($"{persons.Count:N0} persons from {n:N0} records ({persons.Count(p => p.Count == 1):N0} with one record)");
        Console.WriteLine($"RESULT golden_us_per_person={sw.Elapsed.TotalMicroseconds / persons.Count:F2} allocated_bytes_per_person={allocated / persons.Count} digest={Convert.ToHexString(digest.GetHashAndReset())[..16]}");
        return 0;
    }
}
