using System.Collections.Frozen;
using Microsoft.Extensions.Configuration;

namespace Registry.Normalization;

/// <summary>
/// Settings of the nickname table (<c>Matching:Nicknames</c>): which shipped lists are in force and the
/// deployment's own files. The table serves both blocking (a row registered by nickname is also filed
/// under the name it stands for) and the given-name comparison's nickname level.
/// </summary>
public sealed class NicknameOptions
{
    /// <summary>Shipped lists, in order: <c>es</c> (Spanish, the default), <c>en</c> (English).</summary>
    public IList<string> Lists { get; init; } = ["es"];

    /// <summary>Files of the deployment (same format as the shipped lists), added to them.</summary>
    public IList<string> ExtraFiles { get; init; } = [];
}

/// <summary>
/// The nickname table in force in this process: normalised nickname → canonical given name(s). The shipped lists
/// are embedded data files (<c>Data/nicknames-es.txt</c>, <c>Data/nicknames-en.txt</c>) so that linguists can
/// review them; a deployment selects lists and adds its own files by configuration. A nickname that several lists
/// (or files) define stands for the canonical names of all of them (MIKE: MIGUEL in Spanish, MICHAEL in English).
/// Configured once at a host's start (<see cref="Configure(IConfiguration)"/>) before any row is normalised:
/// the match records a process computes are consistent with one table. A mistake (an unknown list, a missing file,
/// a line without '=') stops the start naming the setting, file and line.
/// </summary>
public static class NicknameTable
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Matching:Nicknames";

    /// <summary>The shipped lists a deployment may select.</summary>
    public static readonly IReadOnlyList<string> ShippedLists = ["es", "en"];

    private static volatile FrozenDictionary<string, string[]>? current;

    /// <summary>The table in force (Spanish only until configured otherwise).</summary>
    public static FrozenDictionary<string, string[]> Current => current ??= Build(new NicknameOptions());

    /// <summary>Number of times the table was replaced; caches of derived keys compare it to know they are stale.</summary>
    public static int Generation { get; private set; }

    /// <summary>Puts the lists and files of <c>Matching:Nicknames</c> in force (defaults when the section is absent).</summary>
    public static void Configure(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var options = new NicknameOptions
        {
            Lists = SplitSetting(section, "Lists") ?? ["es"],
            ExtraFiles = SplitSetting(section, "ExtraFiles") ?? [],
        };
        Configure(options);
    }

    /// <summary>Puts <paramref name="options"/> in force.</summary>
    public static void Configure(NicknameOptions options)
    {
        current = Build(options);
        Generation++;
    }

    /// <summary>Builds a table from the options without putting it in force.</summary>
    public static FrozenDictionary<string, string[]> Build(NicknameOptions options)
    {
        var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var list in options.Lists.Select(l => l.Trim().ToLowerInvariant()).Where(l => l.Length > 0).Distinct())
        {
            if (!ShippedLists.Contains(list))
                throw new InvalidOperationException(
                    $"{Section}:Lists names '{list}', which is no shipped nickname list (shipped: {string.Join(", ", ShippedLists)}).");
            var file = $"nicknames-{list}.txt";
            Add(map, NormalizationData.NumberedLines(file), file);
        }
        foreach (var path in options.ExtraFiles.Select(p => p.Trim()).Where(p => p.Length > 0))
        {
            if (!File.Exists(path))
                throw new InvalidOperationException($"{Section}:ExtraFiles names '{path}', which does not exist (full path: {Path.GetFullPath(path)}).");
            Add(map, DataLines(path), path);
        }
        return map.ToFrozenDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }

    private static void Add(Dictionary<string, List<string>> map, IEnumerable<(int Line, string Text)> lines, string source)
    {
        foreach (var (number, line) in lines)
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            var nickname = eq > 0 ? TextNormalizer.Normalize(line[..eq]) : "";
            var canonical = eq > 0
                ? line[(eq + 1)..].Split('|').Select(c => TextNormalizer.Normalize(c)).Where(c => c.Length > 0).ToArray()
                : [];
            if (nickname.Length == 0 || canonical.Length == 0)
                throw new InvalidOperationException(
                    $"Nickname file {source}, line {number}: '{line}' is not NICKNAME=CANONICAL[|CANONICAL...].");
            if (!map.TryGetValue(nickname, out var names)) map[nickname] = names = [];
            foreach (var c in canonical.Where(c => c != nickname && !names.Contains(c, StringComparer.Ordinal))) names.Add(c);
            if (names.Count == 0) map.Remove(nickname);
        }
    }

    private static IEnumerable<(int, string)> DataLines(string path)
    {
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#') continue;
            yield return (number, trimmed);
        }
    }

    private static string[]? SplitSetting(IConfigurationSection section, string key)
    {
        var child = section.GetSection(key);
        if (child.Value is { } scalar) // "es,en" from an environment variable or the command line
            return scalar.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var items = child.GetChildren().Select(c => c.Value).OfType<string>().ToArray(); // a JSON array
        return items.Length > 0 ? items : null;
    }
}
