using Microsoft.Extensions.Configuration;
using Registry.Contracts;
using Registry.Matching;
using Registry.Normalization;

namespace Registry.Tests.Normalization;

/// <summary>
/// The nickname table a deployment configures (Matching:Nicknames): Spanish by default, English selectable, its own
/// files added. These tests replace the process's table, so they run alone and put the default back.
/// </summary>
[Collection(NicknameTableCollection.Name)]
public sealed class NicknameTableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nicknames-").FullName;

    public void Dispose()
    {
        NicknameTable.Configure(new NicknameOptions());
        Directory.Delete(_dir, recursive: true);
    }

    private static MatchRecord Record(string given, string paternal, string? maternal, DateOnly? birth) =>
        MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = paternal, MaternalSurname = maternal,
            BirthDate = birth,
        }, Guid.NewGuid(), Guid.NewGuid());

    private static string[] Finds(MatchRecord later, MatchRecord stored) => [.. later.QueryKeys().Intersect(stored.BlockingKeys())];

    [Fact]
    public void Spanish_is_the_default_and_an_English_nickname_means_nothing_there()
    {
        NicknameTable.Configure(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        Assert.Equal(GivenNameAgreement.Nickname, PersonName.CompareGivenNames("PEPE", "JOSÉ"));
        Assert.Equal(GivenNameAgreement.Different, PersonName.CompareGivenNames("BILL", "WILLIAM"));
        Assert.Equal(["MIGUEL"], PersonName.CanonicalGivenNames("MIKE"));
    }

    [Fact]
    public void The_English_list_selected_by_configuration_joins_the_Spanish_one()
    {
        NicknameTable.Configure(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Matching:Nicknames:Lists"] = "es,en" }).Build());
        Assert.Equal(GivenNameAgreement.Nickname, PersonName.CompareGivenNames("Tom", "Thomas"));
        Assert.Equal(GivenNameAgreement.Nickname, PersonName.CompareGivenNames("BILL", "WILLIAM"));
        Assert.Equal(GivenNameAgreement.Nickname, PersonName.CompareGivenNames("LUPITA", "MA. GUADALUPE"));
        // A nickname both lists know stands for the names of both.
        Assert.Equal(["MIGUEL", "MICHAEL"], PersonName.CanonicalGivenNames("MIKE"));
    }

    [Fact]
    public void Blocking_files_an_English_nickname_under_the_name_it_stands_for_only_when_the_list_is_in_force()
    {
        // BILL SMITH, a wrong year and no second surname, against WILLIAM SMITH JONES: only the nickname bridges the given name.
        var full = Record("WILLIAM", "SMITH", "JONES", new DateOnly(1971, 8, 14));
        NicknameTable.Configure(new NicknameOptions());
        Assert.Empty(Finds(Record("BILL", "SMITH", null, new DateOnly(1977, 8, 14)), full));
        NicknameTable.Configure(new NicknameOptions { Lists = ["es", "en"] });
        Assert.NotEmpty(Finds(Record("BILL", "SMITH", null, new DateOnly(1977, 8, 14)), full));
    }

    [Fact]
    public void A_deployment_file_adds_its_own_nicknames_to_the_shipped_lists()
    {
        var file = Path.Combine(_dir, "medellin.txt");
        File.WriteAllText(file, "# Colombian short forms our agencies use\nPIPE=FELIPE\nMONCHO=RAMÓN|RAMIRO\n");
        NicknameTable.Configure(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Matching:Nicknames:ExtraFiles:0"] = file }).Build());
        Assert.Equal(GivenNameAgreement.Nickname, PersonName.CompareGivenNames("PIPE", "LUIS FELIPE"));
        Assert.Equal(GivenNameAgreement.Nickname, PersonName.CompareGivenNames("MONCHO", "RAMIRO"));
        Assert.Equal(GivenNameAgreement.Nickname, PersonName.CompareGivenNames("PACO", "FRANCISCO")); // Spanish still in force
    }

    [Fact]
    public void A_mistake_in_the_settings_or_a_file_names_what_to_fix()
    {
        var unknown = Assert.Throws<InvalidOperationException>(() => NicknameTable.Build(new NicknameOptions { Lists = ["fr"] }));
        Assert.Contains("'fr'", unknown.Message);
        var missing = Path.Combine(_dir, "missing.txt");
        Assert.Contains(missing, Assert.Throws<InvalidOperationException>(() => NicknameTable.Build(new NicknameOptions { ExtraFiles = [missing] })).Message);
        var broken = Path.Combine(_dir, "broken.txt");
        File.WriteAllText(broken, "PIPE=FELIPE\nCUCHO\n");
        var error = Assert.Throws<InvalidOperationException>(() => NicknameTable.Build(new NicknameOptions { ExtraFiles = [broken] }));
        Assert.Contains("line 2", error.Message);
        Assert.Contains("CUCHO", error.Message);
    }

    [Theory]
    [InlineData("es")]
    [InlineData("en")]
    public void Every_shipped_list_loads_and_never_maps_a_name_to_itself(string list)
    {
        var table = NicknameTable.Build(new NicknameOptions { Lists = [list] });
        Assert.True(table.Count >= 100);
        Assert.All(table, e => Assert.DoesNotContain(e.Key, e.Value));
    }
}

/// <summary>Tests that replace the process's nickname table run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NicknameTableCollection
{
    public const string Name = "nickname-table";
}
