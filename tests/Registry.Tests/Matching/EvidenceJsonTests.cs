using Registry.Contracts;
using Registry.Matching;

namespace Registry.Tests.Matching;

/// <summary>The evidence stored with a decision is written directly; it must read as the serializer wrote it.</summary>
public sealed class EvidenceJsonTests
{
    private static MatchRecord Record(string given, string paternal, string? maternal, DateOnly? birth, string? sex, string? curp = null,
        string? postal = null, string? phone = null) =>
        MatchRecord.From(new SourceRow
        {
            RowNumber = 1, RecordKey = "k", ContentHash = "h", GivenNames = given, PaternalSurname = paternal, MaternalSurname = maternal,
            BirthDate = birth, Sex = sex, Curp = curp, PostalCode = postal, Phone = phone, Municipality = "REYNOSA",
        }, Guid.NewGuid(), Guid.NewGuid());

    public static TheoryData<int> Pairs => [0, 1, 2, 3, 4];

    private static readonly (MatchRecord A, MatchRecord B)[] Cases =
    [
        (Record("JOSE LUIS", "GARZA", "TREVIÑO", new DateOnly(1980, 4, 2), "H", postal: "88500", phone: "8991234567"),
         Record("JOSE LUIS", "GARZA", "TREVINO", new DateOnly(1980, 4, 2), "H", postal: "88500", phone: "8991234567")),
        (Record("MA GUADALUPE", "HERNANDEZ", null, new DateOnly(1975, 12, 1), "M"),
         Record("GUADALUPE", "HERNANDEZ", "CANTU", new DateOnly(1975, 1, 12), "M")),
        (Record("PEPE", "LOPEZ", "DIAZ", null, null), Record("JOSE", "LOPES", "DIAS", new DateOnly(2001, 7, 30), "H")),
        (Record("ANA", "RUIZ", "ORTIZ", new DateOnly(1990, 1, 1), "M", curp: "RUOA900101MTSZRN09"),
         Record("ANA", "RUIZ", "ORTIZ", new DateOnly(1991, 1, 1), "M", curp: "RUOA910101MTSZRN02")),
        (Record("X", "Y", null, null, null), Record("ZACARIAS", "QUINTANILLA", "VILLARREAL", new DateOnly(1950, 5, 5), "H")),
    ];

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Written_evidence_is_the_serializers_text(int pair)
    {
        var (a, b) = Cases[pair];
        var score = MatchModel.Default.Score(Comparisons.Compare(a, b), a);

        Assert.Equal(MatchModelStore.Serialize(score.Evidence()), score.EvidenceJson());
    }
}
