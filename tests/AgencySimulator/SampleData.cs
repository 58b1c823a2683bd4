using System.Globalization;
using System.Text;

namespace Registry.AgencySimulator;

/// <summary>
/// Deterministic participations of the Servicio Nacional de Empleo Tamaulipas. The first people
/// are members of the families in the DIF and health samples, typed the way another agency's
/// system types them (no accents, Ñ as N, "MA." for María, a missing second surname or CURP), so
/// the registry has something real to resolve; the rest are generated from the seed.
/// </summary>
public static class SampleData
{
    private static readonly DateTimeOffset FirstUpdate = new(2026, 10, 1, 8, 0, 0, TimeSpan.Zero);

    // Known people: CURP (or null), given names, first surname, second surname, sex code (F/M), birth date, colonia, municipality.
    private static readonly (string? Curp, string Given, string First, string? Second, string Sex, string Birth, string Colonia, string Municipio)[] Known =
    [
        ("GOCX670904MTSNNM02", "XIMENA", "GONZALEZ", "CANTU", "F", "1967-09-04", "COL. MEXICO", "REYNOSA"),
        ("FOPP650904HTSLRD09", "PEDRO", "FLORES", "PEREZ", "M", "1965-09-04", "COL. MEXICO", "REYNOSA"),
        ("SAHC830208MTSLRR00", "MARIA DEL CARMEN", "SALINAS", "HERNANDEZ", "F", "1983-02-08", "COL. MEXICO", "REYNOSA"),
        ("MAHD810208HTSRRG08", "DIEGO", "MARTINEZ", "HERNANDEZ", "M", "1981-02-08", "COL. MEXICO", "REYNOSA"),
        ("LOCA821106MTSPNN09", "ANA LAURA", "LOPEZ", null, "F", "1982-11-06", "FRACC. LAS FLORES", "MATAMOROS"),
        ("SAGJ801106HTSLMS08", "JESUS", "SALINAS", "GOMEZ", "M", "1980-11-06", "FRACC. LAS FLORES", "MATAMOROS"),
        ("SALS061007HTSLPNA6", "SANTIAGO", "SALINAS", "LOPEZ", "M", "2006-10-07", "FRACC. LAS FLORES", "MATAMOROS"),
        ("RUSS830812MTSZNF06", "SOFIA", "RUIZ", "SANCHEZ", "F", "1983-08-12", "COL. INDEPENDENCIA", "REYNOSA"),
        ("RURP071010HTSZZDA5", "PEDRO", "RUIZ", "RUIZ", "M", "2007-10-10", "COL. INDEPENDENCIA", "REYNOSA"),
        ("SARF080914HTSLZRA3", "FRANCISCO", "SALINAS", "RUIZ", "M", "2008-09-14", "COL. INDEPENDENCIA", "REYNOSA"),
        (null, "LETICIA", "GONZALEZ", "CANTU", "F", "1966-11-03", "COL. INDEPENDENCIA", "REYNOSA"),
        ("HECD851022MTSRRX08", "MA. DE LOS ANGELES", "HERNANDEZ", "CRUZ", "F", "1985-10-22", "FRACC. LAS FLORES", "MATAMOROS"),
        ("HEHJ050812MTSRRNA7", "JUANA", "HERNANDEZ", "HERNANDEZ", "F", "2005-08-12", "FRACC. LAS FLORES", "MATAMOROS"),
        ("ROSF820505MTSDLR01", "FERNANDA", "RODRIGUEZ", "SALINAS", "F", "1982-05-05", "COL. INDEPENDENCIA", "REYNOSA"),
        ("MAGD800505HTSRMG05", "DIEGO", "MARTINEZ", "GOMEZ", "M", "1980-05-05", "COL. INDEPENDENCIA", "REYNOSA"),
        ("RUTJ841011MTSZRN08", "JUANA", "RUIZ", "TREVINO", "F", "1984-10-11", "FRACC. LAS FLORES", "MATAMOROS"),
        ("MOGA751002MTSRRN09", "ANA LAURA", "MORALES", "GARCIA", "F", "1975-10-02", "COL. MEXICO", "VICTORIA"),
        ("PELP731002HTSRPD08", "PEDRO", "PEREZ", "LOPEZ", "M", "1973-10-02", "COL. MEXICO", "VICTORIA"),
        ("LOMS790816MTSPRF06", "SOFIA", "LOPEZ", "MARTINEZ", "F", "1979-08-16", "COL. INDEPENDENCIA", "VICTORIA"),
        ("NURL770816HTSXMS00", "LUIS", "NUNEZ", "RAMIREZ", "M", "1977-08-16", "COL. INDEPENDENCIA", "VICTORIA"),
        ("TETL760418MTSRRT03", "LETICIA", "TREVINO", "TREVINO", "F", "1976-04-18", "COL. AZTECA", "REYNOSA"),
        ("RAGJ740418HTSMRS00", "JESUS", "RAMIREZ", "GARZA", "M", "1974-04-18", "COL. AZTECA", "REYNOSA"),
        ("TENS880101MTSRXF02", "SOFIA", "TREVINO", "NUNEZ", "F", "1988-01-01", "FRACC. LAS FLORES", "REYNOSA"),
        ("PEGA860101HTSRMN01", "ANTONIO", "PEREZ", "GOMEZ", "M", "1986-01-01", "FRACC. LAS FLORES", "REYNOSA"),
    ];

    private static readonly (string Programa, string Modalidad)[] Services =
    [
        ("Bécate", "Capacitación para el autoempleo"),
        ("Bécate", "Capacitación en la práctica laboral"),
        ("Vinculación laboral", "Colocación en empleo formal"),
        ("Fomento al Autoempleo", "Entrega de equipo y herramienta"),
        ("Movilidad laboral", "Jornaleros agrícolas"),
    ];

    private static readonly string[] Statuses = ["INSCRITO", "EN CURSO", "CONCLUIDO", "CONCLUIDO", "COLOCADO", "BAJA"];
    private static readonly string[] WomenNames = ["GUADALUPE", "ROSA MARIA", "ALEJANDRA", "VERONICA", "PATRICIA", "DANIELA", "MARIA FERNANDA", "KARLA", "ADRIANA", "BRENDA"];
    private static readonly string[] MenNames = ["JOSE LUIS", "JUAN CARLOS", "ALEJANDRO", "RICARDO", "MIGUEL ANGEL", "EDUARDO", "OSCAR", "RAUL", "FERNANDO", "IGNACIO"];
    private static readonly string[] Surnames = ["GARZA", "CAVAZOS", "VILLARREAL", "TREVINO", "DE LA CRUZ", "SALAZAR", "RIOS", "ESPINOZA", "CASTILLO", "MEDINA", "GUERRA", "LEAL", "ZAMORA", "OLVERA"];
    private static readonly (string Colonia, string Municipio)[] Places =
    [
        ("COL. MEXICO", "REYNOSA"), ("COL. AZTECA", "REYNOSA"), ("COL. INDEPENDENCIA", "REYNOSA"), ("FRACC. LAS FLORES", "MATAMOROS"),
        ("COL. MODERNA", "MATAMOROS"), ("COL. MEXICO", "VICTORIA"), ("COL. HIDALGO", "NUEVO LAREDO"), ("COL. DEL PUEBLO", "TAMPICO"),
    ];

    public static List<Participation> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var records = new List<Participation>(count);
        var person = 0;
        while (records.Count < count)
        {
            var beneficiary = person < Known.Length ? KnownPerson(person) : GeneratedPerson(random, person);
            var address = person < Known.Length ? new Address(Known[person].Colonia, Known[person].Municipio) : GeneratedAddress(random);
            // Most people have one participation, every third a second one (training, then placement).
            var participations = person % 3 == 0 ? 2 : 1;
            for (var p = 0; p < participations && records.Count < count; p++)
            {
                var i = records.Count;
                var (programa, modalidad) = p == 1 ? Services[2] : Services[random.Next(Services.Length)];
                var start = new DateOnly(2026, 1, 1).AddDays(random.Next(0, 300));
                var fecha = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                // Two deliberately bad records, so rejects show: an impossible date and a missing start date.
                if (i == 36) fecha = "2026-02-30";
                if (i == 87) fecha = "";
                records.Add(new Participation(
                    Folio: $"SNE-2026-{100001 + i}",
                    Beneficiario: beneficiary,
                    Domicilio: address,
                    Programa: programa,
                    Modalidad: modalidad,
                    FechaInicio: fecha,
                    Estatus: Statuses[random.Next(Statuses.Length)],
                    UpdatedAt: Stamp(FirstUpdate.AddMinutes(7 * i))));
            }
            person++;
        }
        return records;
    }

    public static string Stamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Beneficiary KnownPerson(int i)
    {
        var k = Known[i];
        return new Beneficiary($"B-{40001 + i}", k.Curp, k.Given, k.First, k.Second, k.Sex, k.Birth, Phone(i));
    }

    private static Beneficiary GeneratedPerson(Random random, int i)
    {
        var woman = random.Next(2) == 0;
        var given = woman ? WomenNames[random.Next(WomenNames.Length)] : MenNames[random.Next(MenNames.Length)];
        var first = Surnames[random.Next(Surnames.Length)];
        var second = Surnames[random.Next(Surnames.Length)];
        var birth = new DateOnly(1962, 1, 1).AddDays(random.Next(0, 16_000));
        var curp = Curp(given, first, second, birth, woman ? 'M' : 'H', random);
        return new Beneficiary($"B-{40001 + i}", curp, given, first, second, woman ? "F" : "M",
            birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Phone(i));
    }

    private static Address GeneratedAddress(Random random)
    {
        var (colonia, municipio) = Places[random.Next(Places.Length)];
        return new Address(colonia, municipio);
    }

    private static string Phone(int i) => $"899 {(310 + i % 600).ToString(CultureInfo.InvariantCulture)} {(1000 + i * 37 % 9000).ToString("D4", CultureInfo.InvariantCulture)}";

    /// <summary>A structurally valid CURP (letters from the name, birth date, sex, TS, consonants, homonym, check digit).</summary>
    private static string Curp(string given, string first, string second, DateOnly birth, char sex, Random random)
    {
        var firstWord = first.Split(' ')[^1];
        var secondWord = second.Split(' ')[^1];
        var givenWord = given.Split(' ')[0];
        var vowel = firstWord.Skip(1).FirstOrDefault(c => "AEIOU".Contains(c, StringComparison.Ordinal), 'X');
        var text = new StringBuilder()
            .Append(firstWord[0]).Append(vowel).Append(secondWord[0]).Append(givenWord[0])
            .Append(birth.ToString("yyMMdd", CultureInfo.InvariantCulture)).Append(sex).Append("TS")
            .Append(Consonant(firstWord)).Append(Consonant(secondWord)).Append(Consonant(givenWord))
            .Append(birth.Year < 2000 ? (char)('0' + random.Next(10)) : (char)('A' + random.Next(10)))
            .ToString();
        return text + CheckDigit(text);
    }

    private static char Consonant(string word) => word.Skip(1).FirstOrDefault(c => !"AEIOU".Contains(c, StringComparison.Ordinal) && char.IsLetter(c), 'X');

    private static char CheckDigit(string first17)
    {
        const string alphabet = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ";
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += alphabet.IndexOf(first17[i], StringComparison.Ordinal) * (18 - i);
        return (char)('0' + (10 - sum % 10) % 10);
    }
}
