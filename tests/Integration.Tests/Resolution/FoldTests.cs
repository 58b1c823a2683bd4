using Npgsql;
using Registry.Integration.Tests.Infrastructure;
using Registry.SyntheticPopulation;

namespace Registry.Integration.Tests.Resolution;

/// <summary>
/// registry_fold (municipalities, polígonos, addresses, persons.search_name) was made cheaper in migrations
/// 0023 (two regular expressions instead of four) and 0033 (an already folded value returned as it is); the
/// indexes and stored names built with 0006's definition stay valid only if every value is the same.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class FoldTests(RegistryServers servers)
{
    // 0006's definition, as it was: the reference the current one must agree with.
    private const string Definition0006 =
        """
        CREATE FUNCTION pg_temp.fold_0006(value text) RETURNS text LANGUAGE sql IMMUTABLE RETURNS NULL ON NULL INPUT AS $$
            SELECT btrim(regexp_replace(
                       regexp_replace(
                           ' ' || regexp_replace(translate(upper(value), 'ÁÀÂÄÉÈÊËÍÌÎÏÓÒÔÖÚÙÛÜÑÇ', 'AAAAEEEEIIIIOOOOUUUUNC'), '[^A-Z0-9]+', ' ', 'g') || ' ',
                           ' ((DE|DEL|LA|LAS|LOS|Y|VAN|VON|DA|DI) )+', ' ', 'g'),
                       ' +', ' ', 'g'))
        $$
        """;

    [Fact]
    public async Task The_cheaper_fold_gives_every_name_place_and_address_the_same_key()
    {
        var (db, _) = await ResolverRegistry.NewAsync(servers);
        await using var _db = db;
        var random = new Random(23);
        var words = Catalogs.Surnames.Values.Concat(Catalogs.FemaleGivenNames.Values).Concat(Catalogs.MaleGivenNames.Values)
            .Concat(Catalogs.Streets).Concat(Catalogs.Municipalities.SelectMany(m => m.Colonias.Concat(m.Poligonos).Append(m.Name)))
            .Concat(["de", "DEL", "la", "Las", "LOS", "y", "Van", "VON", "da", "DI", "DELA", "DEL-", "-DE", "O'BRIEN", "Ñandú", "São",
                     "Mª", "J.", "MA.", "S/N", "C.P. 87000", "No. 5", "#12-B", "\t", "  ", "", "Ü", "ç", "ß", "İ", "ǅ", "🙂", "1°", "DE LA"])
            .ToArray();
        string Phrase() => string.Join(random.Next(6) == 0 ? "  " : random.Next(8) == 0 ? ", " : " ",
            Enumerable.Range(0, random.Next(1, 6)).Select(_ => words[random.Next(words.Length)]));
        var values = words.Concat(Enumerable.Range(0, 20_000).Select(_ => Phrase()))
            .Select(v => random.Next(4) == 0 ? v.ToLowerInvariant() : v).Append(null).ToArray();

        await using var connection = await db.OpenConnectionAsync();
        await using (var define = new NpgsqlCommand(Definition0006, connection)) await define.ExecuteNonQueryAsync();
        await using var compare = new NpgsqlCommand(
            """
            SELECT count(*) FILTER (WHERE registry_fold(v) IS DISTINCT FROM pg_temp.fold_0006(v)),
                   string_agg(DISTINCT v || ' -> ' || registry_fold(v) || ' / ' || pg_temp.fold_0006(v), '; ') FILTER (WHERE registry_fold(v) IS DISTINCT FROM pg_temp.fold_0006(v)),
                   count(*) FILTER (WHERE registry_fold(v) IS DISTINCT FROM v),
                   count(*) FILTER (WHERE registry_fold(v) = ''),
                   count(*) FILTER (WHERE upper(v) ~ '^[A-Z0-9]+( [A-Z0-9]+)*$')
              FROM unnest(@values) v
            """, connection);
        compare.Parameters.AddWithValue("values", values);
        await using var reader = await compare.ExecuteReaderAsync();
        await reader.ReadAsync();

        Assert.Equal(0L, reader.GetInt64(0));
        Assert.True(reader.IsDBNull(1), reader.IsDBNull(1) ? null : reader.GetString(1));
        Assert.True(reader.GetInt64(2) > 10_000, "most values fold to something else: the corpus exercises the function");
        Assert.True(reader.GetInt64(3) > 10, "particles alone fold to nothing");
        Assert.True(reader.GetInt64(4) > 2_000, "many values take 0033's fast path (folded shape), with or without a particle word");
    }
}
