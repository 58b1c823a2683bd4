using System.Collections.Frozen;

namespace Registry.Normalization;

/// <summary>
/// The data tables (nicknames, particles, CURP inconvenient words, address vocabulary)
/// live as plain text files embedded in the assembly, so linguists can review them without
/// reading C#. Loaded once, normalised with <see cref="TextNormalizer"/>, frozen.
/// </summary>
internal static class NormalizationData
{
    private static readonly Lazy<FrozenSet<string>> LazyParticles = new(() => LoadSet("name-particles.txt"));
    private static readonly Lazy<FrozenSet<string>> LazyInconvenient = new(() => LoadSet("curp-inconvenient-words.txt"));
    private static readonly Lazy<FrozenSet<string>> LazyGivenSkip = new(() => LoadSet("given-name-skip.txt"));
    private static readonly Lazy<FrozenSet<string>> LazyGivenNames = new(() => LoadSet("given-names.txt"));
    private static readonly Lazy<FrozenDictionary<string, string>> LazyAbbreviations = new(() => LoadMap("given-name-abbreviations.txt"));
    private static readonly Lazy<FrozenDictionary<string, FrozenDictionary<string, string>>> LazyAddressWords = new(LoadAddressWords);

    public static FrozenSet<string> Particles => LazyParticles.Value;
    public static FrozenSet<string> InconvenientWords => LazyInconvenient.Value;
    public static FrozenSet<string> GivenNameSkip => LazyGivenSkip.Value;
    public static FrozenSet<string> CommonGivenNames => LazyGivenNames.Value;
    public static FrozenDictionary<string, string> GivenAbbreviations => LazyAbbreviations.Value;
    /// <summary>The nickname table in force (<see cref="NicknameTable"/>: shipped lists and the deployment's files).</summary>
    public static FrozenDictionary<string, string[]> Nicknames => NicknameTable.Current;

    /// <summary>Section of address-words.txt (street, settlement, number, interior, postal, stop).</summary>
    public static FrozenDictionary<string, string> AddressWords(string section) =>
        LazyAddressWords.Value.TryGetValue(section, out var words) ? words : FrozenDictionary<string, string>.Empty;

    /// <summary>Non-blank, non-comment lines of an embedded data file.</summary>
    public static IEnumerable<string> Lines(string file) => NumberedLines(file).Select(l => l.Text);

    /// <summary>Non-blank, non-comment lines of an embedded data file, with their line numbers.</summary>
    public static IEnumerable<(int Line, string Text)> NumberedLines(string file)
    {
        var name = "Registry.Normalization.Data." + file;
        using var stream = typeof(NormalizationData).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing from {typeof(NormalizationData).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#' && trimmed.Length > 1 && trimmed[1] != '=') continue;
            yield return (number, trimmed);
        }
    }

    private static FrozenSet<string> LoadSet(string file) =>
        Lines(file).Select(l => TextNormalizer.Normalize(l)).Where(l => l.Length > 0).ToFrozenSet(StringComparer.Ordinal);

    private static FrozenDictionary<string, string> LoadMap(string file)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Lines(file))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) continue;
            map[TextNormalizer.Normalize(line[..eq])] = TextNormalizer.Normalize(line[(eq + 1)..]);
        }
        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static FrozenDictionary<string, FrozenDictionary<string, string>> LoadAddressWords()
    {
        var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        Dictionary<string, string>? current = null;
        foreach (var line in Lines("address-words.txt"))
        {
            if (line[0] == '[' && line[^1] == ']')
            {
                var section = line[1..^1];
                if (!sections.TryGetValue(section, out current)) sections[section] = current = new(StringComparer.Ordinal);
                continue;
            }
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (current is null || eq <= 0) continue;
            var form = line[..eq];
            // '#' survives as itself; everything else is compared in canonical form.
            current[form == "#" ? "#" : TextNormalizer.Normalize(form)] = TextNormalizer.Normalize(line[(eq + 1)..]);
        }
        return sections.ToFrozenDictionary(s => s.Key, s => s.Value.ToFrozenDictionary(StringComparer.Ordinal), StringComparer.Ordinal);
    }
}
