using Registry.Api.Access;
using Registry.Contracts;
using Registry.Normalization;
using static Hl7.Fhir.Model.ExtensionExtensions;
using R4 = Hl7.Fhir.Model;

namespace Registry.Api.Fhir;

/// <summary>
/// A registry person as a FHIR R4 Patient and back, one set of rules both ways:
/// <list type="bullet">
/// <item>CURP: <c>identifier</c> with system <see cref="CurpSystem"/> (an identifier without a system whose value is a
///   CURP with a valid check digit is read as one too);</item>
/// <item>names: <c>given</c> holds the given names as one element (compound names such as MARÍA DE LOS ÁNGELES stay
///   whole; several elements are read joined by spaces); <c>family</c> both surnames, paternal first, each also in
///   the core extensions <see cref="FathersFamily"/> and <see cref="MothersFamily"/> on <c>family</c>; <c>text</c>
///   the full name. A family without those extensions is split the way a feed's full-name column is (particles stay
///   with the surname they precede), as is a <c>text</c> without parts;</item>
/// <item><c>birthDate</c>, <c>gender</c> (male / female ↔ the CURP letters H / M), <c>telecom</c> phone;</item>
/// <item><c>address</c>: <c>line</c> street and number, then colonia; <c>district</c> the municipality (municipio); <c>postalCode</c>.
///   A municipality in <c>city</c> is read when <c>district</c> is empty.</item>
/// </list>
/// </summary>
public static class PatientMapping
{
    /// <summary>The identifier system of the CURP (Clave Única de Registro de Población, RENAPO).</summary>
    public const string CurpSystem = "https://www.gob.mx/curp";
    public const string FathersFamily = "http://hl7.org/fhir/StructureDefinition/humanname-fathers-family";
    public const string MothersFamily = "http://hl7.org/fhir/StructureDefinition/humanname-mothers-family";

    /// <summary>The Patient a reader may see of a person: only golden fields from sources they may see (<see cref="VisibleGolden"/>).</summary>
    public static R4.Patient ToPatient(VisibleGolden golden)
    {
        ArgumentNullException.ThrowIfNull(golden);
        var patient = new R4.Patient { Id = golden.PersonId.ToString() };
        if (golden.Curp is { Length: > 0 } curp)
            patient.Identifier.Add(new R4.Identifier(CurpSystem, curp) { Use = R4.Identifier.IdentifierUse.Official });
        var (given, paternal, maternal) = (Blank(golden.GivenNames), Blank(golden.PaternalSurname), Blank(golden.MaternalSurname));
        if (given is not null || paternal is not null || maternal is not null)
        {
            var name = new R4.HumanName { Use = R4.HumanName.NameUse.Official, Text = golden.FullName };
            if (given is not null) name.Given = [given];
            var family = string.Join(' ', new[] { paternal, maternal }.Where(s => s is not null));
            if (family.Length > 0)
            {
                name.FamilyElement = new R4.FhirString(family);
                if (paternal is not null) name.FamilyElement.AddExtension(FathersFamily, new R4.FhirString(paternal));
                if (maternal is not null) name.FamilyElement.AddExtension(MothersFamily, new R4.FhirString(maternal));
            }
            patient.Name.Add(name);
        }
        if (golden.BirthDate is { } birth) patient.BirthDate = birth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        patient.Gender = golden.Sex switch
        {
            "H" => R4.AdministrativeGender.Male,
            "M" => R4.AdministrativeGender.Female,
            _ => null,
        };
        if (Blank(golden.Value("phone")) is { } phone)
            patient.Telecom.Add(new R4.ContactPoint(R4.ContactPoint.ContactPointSystem.Phone, null, phone));
        var street = string.Join(' ', new[] { Blank(golden.Value("street")), Blank(golden.Value("house_number")) }.Where(s => s is not null));
        var colonia = Blank(golden.Value("colonia"));
        var municipality = Blank(golden.Value("municipality"));
        var postalCode = Blank(golden.Value("postal_code"));
        if (street.Length > 0 || colonia is not null || municipality is not null || postalCode is not null)
        {
            var address = new R4.Address { Use = R4.Address.AddressUse.Home, District = municipality, PostalCode = postalCode, Country = "MX" };
            var lines = new List<string>();
            if (street.Length > 0) lines.Add(street);
            if (colonia is not null) lines.Add(colonia);
            address.Line = lines;
            patient.Address.Add(address);
        }
        return patient;
    }

    /// <summary>What matching is given of an incoming Patient: the fields a feed row carries, read by the rules above.</summary>
    public static SourceRow ToSourceRow(R4.Patient patient)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var name = patient.Name.FirstOrDefault(n => n.Use == R4.HumanName.NameUse.Official && HasName(n))
                   ?? patient.Name.FirstOrDefault(HasName);
        string? given = null, paternal = null, maternal = null, fullName = null;
        if (name is not null)
        {
            given = Blank(string.Join(' ', (name.Given ?? []).Where(g => !string.IsNullOrWhiteSpace(g)).Select(g => g!.Trim())));
            var family = Blank(name.Family);
            var fathers = Blank(name.FamilyElement?.GetStringExtension(FathersFamily));
            var mothers = Blank(name.FamilyElement?.GetStringExtension(MothersFamily));
            if (fathers is not null || mothers is not null)
            {
                (paternal, maternal) = (fathers, mothers);
            }
            else if (family is not null)
            {
                // "Surnames, given names": the feed's full-name rule, so particles stay with their surname ("DE LA CRUZ PÉREZ").
                var split = PersonName.Split(family + ", " + (given ?? "X"));
                (paternal, maternal) = (split.Paternal, split.Maternal);
                if (maternal is not null) fullName = string.Join(' ', new[] { given, family }.Where(s => s is not null));
            }
            else if (given is null && Blank(name.Text) is { } text)
            {
                var split = PersonName.Split(text);
                (given, paternal, maternal, fullName) = (Blank(split.GivenNames), split.Paternal, split.Maternal, text);
            }
        }
        DateOnly? birth = DateOnly.TryParseExact(patient.BirthDate, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var d) ? d : null;
        var phone = patient.Telecom.FirstOrDefault(t => t.System is R4.ContactPoint.ContactPointSystem.Phone or null && !string.IsNullOrWhiteSpace(t.Value))?.Value;
        var address = patient.Address.FirstOrDefault(a => a.Use == R4.Address.AddressUse.Home) ?? patient.Address.FirstOrDefault();
        return new SourceRow
        {
            RowNumber = 1,
            RecordKey = "fhir",
            ContentHash = "",
            Curp = CurpOf(patient),
            GivenNames = given,
            PaternalSurname = paternal,
            MaternalSurname = maternal,
            FullName = fullName,
            Sex = patient.Gender switch
            {
                R4.AdministrativeGender.Male => "H",
                R4.AdministrativeGender.Female => "M",
                _ => null,
            },
            BirthDate = birth,
            Phone = Blank(phone),
            Street = address?.Line.FirstOrDefault(),
            Colonia = address?.Line.Skip(1).FirstOrDefault(),
            PostalCode = Blank(address?.PostalCode),
            Municipality = Blank(address?.District) ?? Blank(address?.City),
        };
    }

    /// <summary>The Patient's CURP: an identifier of <see cref="CurpSystem"/>, or one without a system that is a CURP with a valid check digit.</summary>
    public static string? CurpOf(R4.Patient patient)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var declared = patient.Identifier.FirstOrDefault(i => string.Equals(i.System, CurpSystem, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(i.Value));
        if (declared is not null) return Curp.Clean(declared.Value);
        return patient.Identifier.Where(i => string.IsNullOrEmpty(i.System)).Select(i => Curp.Clean(i.Value)).FirstOrDefault(Curp.IsValid);
    }

    /// <summary>Whether the Patient carries something matching can work with: a name, or a CURP.</summary>
    public static bool HasSomethingToMatch(R4.Patient patient)
    {
        ArgumentNullException.ThrowIfNull(patient);
        return patient.Name.Any(HasName) || CurpOf(patient) is not null;
    }

    private static bool HasName(R4.HumanName n) =>
        !string.IsNullOrWhiteSpace(n.Family) || (n.Given ?? []).Any(g => !string.IsNullOrWhiteSpace(g)) || !string.IsNullOrWhiteSpace(n.Text);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
