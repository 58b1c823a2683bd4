using System.Globalization;
using Registry.Normalization;

namespace Registry.SyntheticPopulation;

/// <summary>The role of a member in a household (what DIF records as PARENTESCO).</summary>
public enum Relationship
{
    Head,
    Spouse,
    Child,
}

/// <summary>One real person: the truth that agency records about them are measured against.</summary>
public sealed record Person(
    string Id,
    string HouseholdId,
    Relationship Relationship,
    string GivenNames,
    string Paternal,
    string? Maternal,
    char Sex,
    DateOnly BirthDate,
    string BirthState,
    string Curp,
    Municipality Municipality,
    string Poligono,
    string Colonia,
    string PostalCode,
    string Street,
    string HouseNumber,
    string? Phone,
    string? DocumentType = null,
    string? DocumentNumber = null,
    string? EarlierDocumentType = null,
    string? EarlierDocumentNumber = null)
{
    public int AgeOn(DateOnly day) => day.Year - BirthDate.Year - (day.DayOfYear < BirthDate.DayOfYear ? 1 : 0);
}

/// <summary>People sharing a dwelling, with the head first.</summary>
public sealed record Household(string Id, IReadOnlyList<Person> Members);

/// <summary>
/// Draws households of Tamaulipas families: a head, often a spouse, children whose surnames follow
/// the Mexican rule (paternal = father's paternal, maternal = mother's paternal; a single
/// mother's children may carry her two surnames), some sons named after their father, one
/// address and phone per household, and a correct CURP for everyone (derived by the registry's own
/// <see cref="Curp.Derive(string?, string?, string?, DateOnly, Sex, string?)"/>, homonym character
/// unique per first 16 characters, check digit by <see cref="Curp.CheckDigit"/>).
/// Deterministic: the same <see cref="Random"/> sequence gives the same people.
/// </summary>
/// <para>
/// For Colombia (<paramref name="country"/> <c>CO</c>): Antioquia's names and Medellín's territory
/// (<see cref="ColombiaCatalogs"/>; the polígono slot holds the comuna or corregimiento, the colonia slot the barrio),
/// and each person's identity documents as they age: registro civil under 7, tarjeta de identidad 7–17, cédula from 18.
/// Born since 2000, one NUIP (10 digits) is carried from the registro civil to the cédula; an older adult's cédula
/// has its own number, and one born 1975–1999 once had a tarjeta de identidad with another (date-based, 11 digits).
/// </para>
public sealed class PopulationGenerator(Random random, DateOnly today, string country = "MX")
{
    private readonly Dictionary<string, int> _homonyms = new(StringComparer.Ordinal);
    private readonly HashSet<string> _documents = new(StringComparer.Ordinal);
    private readonly bool _colombia = country == "CO";
    private int _households;
    private int _persons;

    public DateOnly Today { get; } = today;

    public Household NextHousehold()
    {
        var id = "H" + (++_households).ToString("D7", CultureInfo.InvariantCulture);
        var municipality = (_colombia ? ColombiaCatalogs.MunicipalityPicker : Catalogs.MunicipalityPicker).Pick(random);
        var territory = municipality.Poligonos[random.Next(municipality.Poligonos.Length)];
        var poligono = _colombia ? territory : "Polígono " + territory;
        var colonia = municipality.Colonias[random.Next(municipality.Colonias.Length)];
        var postal = _colombia
            ? (municipality.PostalBase + random.Next(1, 40)).ToString("D6", CultureInfo.InvariantCulture)
            : (municipality.PostalBase + random.Next(0, 90)).ToString("D5", CultureInfo.InvariantCulture);
        var street = _colombia
            ? ColombiaCatalogs.StreetTypes[random.Next(ColombiaCatalogs.StreetTypes.Length)] + " " + random.Next(1, 120).ToString(CultureInfo.InvariantCulture)
            : Catalogs.Streets[random.Next(Catalogs.Streets.Length)];
        var number = _colombia
            ? string.Create(CultureInfo.InvariantCulture, $"{random.Next(1, 120)}-{random.Next(1, 99):D2}")
            : random.NextDouble() < 0.05 ? "S/N" : random.Next(1, 2500).ToString(CultureInfo.InvariantCulture);
        // A Colombian address is one line: street type and number, then the cross street and distance ("CL 56 # 49-12").
        if (_colombia) street += " # " + number;
        var phone = random.NextDouble() < 0.8 ? PhoneNumber(municipality) : null;
        var address = (municipality, poligono, colonia, postal, street, number, phone);

        var members = new List<Person>();
        var shape = random.NextDouble();
        // 10 % live alone, 15 % couples without children at home, 55 % couples with children, 20 % single mothers.
        var headAge = random.Next(19, 78);
        if (shape < 0.10)
        {
            var sex = random.NextDouble() < 0.5 ? 'M' : 'H';
            members.Add(NewPerson(id, Relationship.Head, sex, Given(sex), Surname(), Surname(), BirthOf(headAge), address));
        }
        else if (shape < 0.80)
        {
            var father = NewPerson(id, Relationship.Head, 'H', Given('H'), Surname(), Surname(), BirthOf(headAge), address);
            var mother = NewPerson(id, Relationship.Spouse, 'M', Given('M'), Surname(), Surname(), BirthOf(Math.Max(17, headAge + random.Next(-8, 4))), address);
            // A fifth of households name the woman as head (DIF records her as JEFA).
            if (random.NextDouble() < 0.2)
            {
                members.Add(mother with { Relationship = Relationship.Head });
                members.Add(father with { Relationship = Relationship.Spouse });
            }
            else
            {
                members.Add(father);
                members.Add(mother);
            }
            if (shape >= 0.25) AddChildren(members, father, mother, address, singleMother: false);
        }
        else
        {
            var mother = NewPerson(id, Relationship.Head, 'M', Given('M'), Surname(), Surname(), BirthOf(Math.Max(19, headAge)), address);
            members.Add(mother);
            AddChildren(members, null, mother, address, singleMother: true);
        }
        return new Household(id, members);
    }

    private void AddChildren(List<Person> members, Person? father, Person mother, (Municipality, string, string, string, string, string, string?) address, bool singleMother)
    {
        var count = 1 + (int)Math.Min(5, -Math.Log(1 - random.NextDouble()) * 1.3);
        // Children are born while the mother is 17–42, never after today.
        var motherAgeNow = mother.AgeOn(Today);
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var ageAtBirth = random.Next(17, 43);
            var age = motherAgeNow - ageAtBirth;
            if (age < 0) continue;
            var sex = random.NextDouble() < 0.5 ? 'M' : 'H';
            string given;
            if (father is not null && sex == 'H' && random.NextDouble() < 0.08) given = father.GivenNames; // junior
            else if (sex == 'M' && random.NextDouble() < 0.03) given = mother.GivenNames;
            else given = Given(sex);
            // Siblings do not share a given name (a junior may share his father's).
            for (var attempt = 0; !usedNames.Add(given) && attempt < 20; attempt++) given = Given(sex);
            var (paternal, maternal) = singleMother && random.NextDouble() < 0.5
                ? (mother.Paternal, mother.Maternal)
                : (father?.Paternal ?? Surname(), mother.Paternal);
            members.Add(NewPerson(members[0].HouseholdId, Relationship.Child, sex, given, paternal, maternal, BirthOf(age), address));
        }
    }

    private Person NewPerson(string household, Relationship relationship, char sex, string given, string paternal, string? maternal, DateOnly birth,
        (Municipality Municipality, string Poligono, string Colonia, string Postal, string Street, string Number, string? Phone) address)
    {
        var state = Catalogs.BirthStates.Pick(random);
        var parts = Curp.Derive(paternal, maternal, given, birth, sex == 'M' ? Sex.Female : Sex.Male, state);
        var first16 = parts.First16!;
        var n = _homonyms.GetValueOrDefault(first16);
        _homonyms[first16] = n + 1;
        var homonym = birth.Year < 2000 ? (char)('0' + n % 10) : (char)('A' + n % 26);
        var first17 = first16 + homonym;
        var curp = first17 + Curp.CheckDigit(first17).ToString(CultureInfo.InvariantCulture);
        var id = "P" + (++_persons).ToString("D7", CultureInfo.InvariantCulture);
        // Adults carry their own phone more often than the household's.
        var phone = birth.AddYears(18) <= Today && random.NextDouble() < 0.4
            ? PhoneNumber(address.Municipality)
            : address.Phone;
        var person = new Person(id, household, relationship, given, paternal, maternal, sex, birth, state, curp,
            address.Municipality, address.Poligono, address.Colonia, address.Postal, address.Street, address.Number, phone);
        return _colombia ? WithDocuments(person) : person;
    }

    private string PhoneNumber(Municipality municipality) => _colombia
        ? "3" + random.Next(0, 3).ToString(CultureInfo.InvariantCulture) + random.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture)
        : municipality.AreaCode + random.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);

    /// <summary>The person's current document for their age, and the earlier one an agency may still hold.</summary>
    private Person WithDocuments(Person person)
    {
        var age = person.AgeOn(Today);
        var current = age < 7 ? "RC" : age < 18 ? "TI" : "CC";
        if (person.BirthDate.Year >= 2000)
        {
            // One NUIP for life: RC → TI → CC keep the number.
            var nuip = Unique(() => "10" + random.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture));
            var earlier = current switch { "TI" => "RC", "CC" => "TI", _ => null };
            return person with { DocumentType = current, DocumentNumber = nuip, EarlierDocumentType = earlier, EarlierDocumentNumber = earlier is null ? null : nuip };
        }
        // Before the NUIP: a cédula of its own (10 digits from 2003 on, 8 before), and a date-based TI for those born 1975–1999.
        var cc = person.BirthDate.Year >= 1985
            ? Unique(() => "10" + random.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture))
            : Unique(() => (person.Sex == 'M' ? random.Next(21_000_000, 44_000_000) : random.Next(70_000_000, 99_000_000)).ToString(CultureInfo.InvariantCulture));
        var ti = person.BirthDate.Year >= 1975
            ? Unique(() => person.BirthDate.ToString("yyMMdd", CultureInfo.InvariantCulture) + random.Next(10_000, 99_999).ToString(CultureInfo.InvariantCulture))
            : null;
        return person with { DocumentType = "CC", DocumentNumber = cc, EarlierDocumentType = ti is null ? null : "TI", EarlierDocumentNumber = ti };
    }

    private string Unique(Func<string> draw)
    {
        string number;
        do number = draw();
        while (!_documents.Add(number));
        return number;
    }

    private string Given(char sex) => _colombia
        ? (sex == 'M' ? ColombiaCatalogs.FemaleGivenNames : ColombiaCatalogs.MaleGivenNames).Pick(random)
        : (sex == 'M' ? Catalogs.FemaleGivenNames : Catalogs.MaleGivenNames).Pick(random);

    private string Surname() => (_colombia ? ColombiaCatalogs.Surnames : Catalogs.Surnames).Pick(random);

    private DateOnly BirthOf(int age) => Today.AddYears(-age).AddDays(-random.Next(0, 365));
}
