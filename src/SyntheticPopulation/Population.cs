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
    string? Phone)
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
public sealed class PopulationGenerator(Random random, DateOnly today)
{
    private readonly Dictionary<string, int> _homonyms = new(StringComparer.Ordinal);
    private int _households;
    private int _persons;

    public DateOnly Today { get; } = today;

    public Household NextHousehold()
    {
        var id = "H" + (++_households).ToString("D7", CultureInfo.InvariantCulture);
        var municipality = Catalogs.MunicipalityPicker.Pick(random);
        var poligono = "Polígono " + municipality.Poligonos[random.Next(municipality.Poligonos.Length)];
        var colonia = municipality.Colonias[random.Next(municipality.Colonias.Length)];
        var postal = (municipality.PostalBase + random.Next(0, 90)).ToString("D5", CultureInfo.InvariantCulture);
        var street = Catalogs.Streets[random.Next(Catalogs.Streets.Length)];
        var number = random.NextDouble() < 0.05 ? "S/N" : random.Next(1, 2500).ToString(CultureInfo.InvariantCulture);
        var phone = random.NextDouble() < 0.8 ? municipality.AreaCode + random.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture) : null;
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
            ? address.Municipality.AreaCode + random.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture)
            : address.Phone;
        return new Person(id, household, relationship, given, paternal, maternal, sex, birth, state, curp,
            address.Municipality, address.Poligono, address.Colonia, address.Postal, address.Street, address.Number, phone);
    }

    private string Given(char sex) => (sex == 'M' ? Catalogs.FemaleGivenNames : Catalogs.MaleGivenNames).Pick(random);

    private string Surname() => Catalogs.Surnames.Pick(random);

    private DateOnly BirthOf(int age) => Today.AddYears(-age).AddDays(-random.Next(0, 365));
}
