using System.Globalization;
using System.Text;
using Registry.Normalization;

namespace Registry.SyntheticPopulation;

/// <summary>A person as one agency recorded them, with the names of the errors it carries.</summary>
public sealed record ReportedIdentity(
    string? Curp,
    string GivenNames,
    string Paternal,
    string? Maternal,
    char Sex,
    DateOnly? BirthDate,
    string Municipality,
    string Colonia,
    IReadOnlyList<string> Errors,
    string? DocumentType = null,
    string? DocumentNumber = null,
    string? Phone = null,
    string? Street = null,
    string? HouseNumber = null,
    string? PostalCode = null);

/// <summary>
/// Applies an <see cref="ErrorProfile"/> to a true <see cref="Person"/>: the errors agencies make
/// when they type a family's data. Every error is named in <see cref="ReportedIdentity.Errors"/>
/// (the ground truth carries them, so the benchmark can say which errors cost matches).
/// </summary>
public sealed class RecordErrors(Random random, ErrorProfile profile, DateOnly today, string country = "MX")
{
    private readonly Municipality[] _municipalities = country == "CO" ? ColombiaCatalogs.Municipalities : Catalogs.Municipalities;

    // Nickname table of the registry (nickname → canonical), reversed: canonical given name → nicknames.
    private static readonly Dictionary<string, string[]> NicknamesOf = PersonName.Nicknames
        .SelectMany(e => e.Value.Select(canonical => (Canonical: canonical, Nickname: e.Key)))
        .GroupBy(x => x.Canonical, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Select(x => x.Nickname).Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);

    private static readonly (string From, string To)[] SpellingSlips =
    [
        ("Z", "S"), ("S", "Z"), ("V", "B"), ("B", "V"), ("LL", "Y"), ("Y", "LL"), ("CE", "SE"), ("CI", "SI"), ("GE", "JE"),
        ("JE", "GE"), ("GI", "JI"), ("JI", "GI"), ("X", "J"), ("QU", "K"),
    ];

    private static readonly Dictionary<char, char> Ocr = new() { ['0'] = 'O', ['O'] = '0', ['1'] = 'I', ['I'] = '1', ['5'] = 'S', ['S'] = '5', ['8'] = 'B', ['B'] = '8' };

    public ReportedIdentity Report(Person person)
    {
        var errors = new List<string>();
        bool Roll(double rate, string name)
        {
            if (rate <= 0 || random.NextDouble() >= rate) return false;
            errors.Add(name);
            return true;
        }

        var given = person.GivenNames;
        var paternal = person.Paternal;
        var maternal = person.Maternal;
        var words = given.Split(' ');
        var leadsWithMariaJose = words.Length > 1 && words[0] is "MARÍA" or "JOSÉ";

        // Given names: nickname, or a dropped/abbreviated MARÍA/JOSÉ (exclusive: one way of writing the name).
        var nickname = NicknameFor(given);
        if (nickname is not null && Roll(profile.Nickname, "nickname")) given = nickname;
        else if (leadsWithMariaJose && Roll(profile.DropMariaJose, "drop-maria-jose")) given = string.Join(' ', words[1..]);
        else if (leadsWithMariaJose && Roll(profile.AbbreviateMariaJose, "abbrev-maria-jose"))
            given = (words[0] == "MARÍA" ? (random.NextDouble() < 0.8 ? "MA." : "MA") : "J.") + " " + string.Join(' ', words[1..]);

        if (maternal is not null && Roll(profile.MaternalMissing, "maternal-missing")) maternal = null;
        else if (maternal is not null && Roll(profile.SurnamesSwapped, "surnames-swapped")) (paternal, maternal) = (maternal, paternal);

        if (Roll(profile.NameTypo, "name-typo"))
        {
            switch (random.Next(maternal is null ? 2 : 3))
            {
                case 0: given = Typo(given); break;
                case 1: paternal = Typo(paternal); break;
                default: maternal = Typo(maternal!); break;
            }
        }
        if (Roll(profile.NameOcr, "name-ocr"))
        {
            if (random.Next(2) == 0) given = OcrSlip(given) ?? given;
            else paternal = OcrSlip(paternal) ?? paternal;
        }

        // Birth date: at most one error, always a real date not in the future (the feeds reject impossible ones).
        DateOnly? birth = person.BirthDate;
        var b = person.BirthDate;
        if (Roll(profile.DobMissing, "dob-missing")) birth = null;
        else if (b.Day <= 12 && b.Day != b.Month && Valid(b.Year, b.Day, b.Month) is { } swapped && Roll(profile.DobDayMonthSwap, "dob-day-month-swap")) birth = swapped;
        else if (Roll(profile.DobYear, "dob-year")) birth = Valid(b.Year + (random.Next(2) == 0 ? -1 : 1), b.Month, b.Day) ?? b.AddYears(-1);
        else if (Roll(profile.DobDigit, "dob-digit")) birth = DigitSlip(b);

        var sex = person.Sex;
        if (Roll(profile.SexWrong, "sex-wrong")) sex = sex == 'M' ? 'H' : 'M';

        string? curp = person.Curp;
        if (country == "CO") curp = null; // no CURP in Colombia: its documents below
        else if (Roll(profile.CurpMissing, "curp-missing")) curp = null;
        else if (Roll(profile.CurpTypo, "curp-typo")) curp = CurpTypo(curp);
        else if (Roll(profile.CurpOcr, "curp-ocr")) curp = OcrSlip(curp) ?? CurpTypo(curp);

        var municipality = person.Municipality.Name;
        if (Roll(profile.MunicipalityOther, "municipality-other"))
        {
            var other = _municipalities[random.Next(_municipalities.Length)];
            if (other.Name == municipality) other = _municipalities[(Array.IndexOf(_municipalities, other) + 1) % _municipalities.Length];
            municipality = other.Name;
        }
        var colonia = person.Colonia;

        if (Roll(profile.AccentsDropped, "accents-dropped"))
        {
            var enyeToN = random.NextDouble() < 0.5;
            given = Unaccent(given, enyeToN);
            paternal = Unaccent(paternal, enyeToN);
            maternal = maternal is null ? null : Unaccent(maternal, enyeToN);
            municipality = Unaccent(municipality, enyeToN);
            colonia = Unaccent(colonia, enyeToN);
        }
        if (Roll(profile.MixedCase, "mixed-case"))
        {
            given = TitleCase(given);
            paternal = TitleCase(paternal);
            maternal = maternal is null ? null : TitleCase(maternal);
        }
        // A typed document (Colombia): missing, the earlier one of the person's succession (an agency that registered
        // the child and never updated it), or one digit typed wrong — which makes it another valid document.
        string? documentType = person.DocumentType, documentNumber = person.DocumentNumber;
        if (documentNumber is not null)
        {
            if (Roll(profile.DocumentMissing, "document-missing")) (documentType, documentNumber) = (null, null);
            else if (person.EarlierDocumentNumber is not null && Roll(profile.DocumentEarlier, "document-earlier"))
                (documentType, documentNumber) = (person.EarlierDocumentType, person.EarlierDocumentNumber);
            if (documentNumber is not null && Roll(profile.DocumentTypo, "document-typo")) documentNumber = DigitTypo(documentNumber);
        }
        // The address and phone as typed (the person's own unless the profile says otherwise; rolls of a zero rate draw
        // nothing, so profiles without address errors give the same output as before these existed).
        var phone = person.Phone;
        if (phone is not null && Roll(profile.PhoneMissing, "phone-missing")) phone = null;
        else if (phone is not null && Roll(profile.PhoneOther, "phone-other"))
            phone = random.Next(2) == 0 ? DigitTypo(phone) : string.Concat(phone.AsSpan(0, 3), random.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture));
        var street = person.Street;
        if (Roll(profile.StreetVariant, "street-variant"))
            street = random.Next(2) == 0 ? Typo(street) : (street.StartsWith("CALLE ", StringComparison.Ordinal) ? "C. " + street[6..] : "C. " + street);
        var number = person.HouseNumber;
        if (Roll(profile.HouseNumberMissing, "house-number-missing")) number = null;
        var postal = person.PostalCode;
        if (Roll(profile.PostalCodeMissing, "postal-code-missing")) postal = null;
        return new ReportedIdentity(curp, given, paternal, maternal, sex, birth, municipality, colonia, errors, documentType, documentNumber,
            phone, street, number, postal);
    }

    private string? NicknameFor(string given)
    {
        // The whole name (CHEMA = JOSÉ MARÍA), else its significant word (LUPITA for MARÍA GUADALUPE, PEPE for JOSÉ).
        var key = TextNormalizer.Normalize(given);
        if (NicknamesOf.TryGetValue(key, out var whole)) return whole[random.Next(whole.Length)];
        var words = key.Split(' ');
        var significant = words.Length > 1 && words[0] is "MARIA" or "JOSE" ? words[1] : words.Length == 1 ? words[0] : null;
        return significant is not null && NicknamesOf.TryGetValue(significant, out var nicks) ? nicks[random.Next(nicks.Length)] : null;
    }

    /// <summary>One edit: a Spanish spelling confusion (40 %), or a substitution, deletion, insertion or transposition.</summary>
    internal string Typo(string text)
    {
        if (random.NextDouble() < 0.4)
        {
            var start = random.Next(SpellingSlips.Length);
            for (var k = 0; k < SpellingSlips.Length; k++)
            {
                var (from, to) = SpellingSlips[(start + k) % SpellingSlips.Length];
                var at = text.IndexOf(from, 1, StringComparison.Ordinal) is var i and > 0 ? i : -1;
                if (at > 0) return string.Concat(text.AsSpan(0, at), to, text.AsSpan(at + from.Length));
            }
            if (text.StartsWith('H') && text.Length > 3) return text[1..];
        }
        var letters = Enumerable.Range(0, text.Length).Where(i => char.IsLetter(text[i])).ToArray();
        if (letters.Length < 3) return text + "A";
        var p = letters[random.Next(1, letters.Length)];
        var sb = new StringBuilder(text);
        switch (random.Next(4))
        {
            case 0: sb[p] = Neighbour(text[p]); break;
            case 1: sb.Remove(p, 1); break;
            case 2: sb.Insert(p, Neighbour(text[p])); break;
            default:
                var q = p - 1;
                if (char.IsLetter(sb[q]) && sb[q] != sb[p]) (sb[p], sb[q]) = (sb[q], sb[p]);
                else sb[p] = Neighbour(text[p]);
                break;
        }
        return sb.ToString();
    }

    private char Neighbour(char c)
    {
        const string rows = "QWERTYUIOPASDFGHJKLÑZXCVBNM";
        var i = rows.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
        if (i < 0) return 'A';
        var j = Math.Clamp(i + (random.Next(2) == 0 ? -1 : 1), 0, rows.Length - 1);
        return rows[j] == rows[i] ? rows[(i + 2) % rows.Length] : rows[j];
    }

    private string? OcrSlip(string text)
    {
        var positions = Enumerable.Range(0, text.Length).Where(i => Ocr.ContainsKey(text[i])).ToArray();
        if (positions.Length == 0) return null;
        var p = positions[random.Next(positions.Length)];
        return string.Concat(text.AsSpan(0, p), Ocr[text[p]].ToString(), text.AsSpan(p + 1));
    }

    private string DigitTypo(string number)
    {
        var p = random.Next(1, number.Length); // never the leading digit (a leading zero is no document)
        char replacement;
        do replacement = (char)('0' + random.Next(10));
        while (replacement == number[p]);
        return string.Concat(number.AsSpan(0, p), replacement.ToString(), number.AsSpan(p + 1));
    }

    private string CurpTypo(string curp)
    {
        var p = random.Next(curp.Length);
        var c = curp[p];
        char replacement;
        do
        {
            replacement = char.IsAsciiDigit(c) ? (char)('0' + random.Next(10)) : (char)('A' + random.Next(26));
        }
        while (replacement == c);
        return string.Concat(curp.AsSpan(0, p), replacement.ToString(), curp.AsSpan(p + 1));
    }

    private DateOnly DigitSlip(DateOnly b)
    {
        var text = b.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var p = random.Next(2, 8); // never the millennium/century digits
            var digit = (char)('0' + random.Next(10));
            if (digit == text[p]) continue;
            var slipped = string.Concat(text.AsSpan(0, p), digit.ToString(), text.AsSpan(p + 1));
            if (DateOnly.TryParseExact(slipped, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) && d <= today) return d;
        }
        return b.AddDays(b.Day < 20 ? 10 : -10);
    }

    private DateOnly? Valid(int year, int month, int day)
    {
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
        var d = new DateOnly(year, month, day);
        return d <= today ? d : null;
    }

    internal static string Unaccent(string text, bool enyeToN)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is 'Ñ' or 'ñ') sb.Append(enyeToN ? (c == 'Ñ' ? 'N' : 'n') : c);
            else if (char.IsUpper(c) && TextNormalizer.FoldLetter(c) is var f and not '\0') sb.Append(f);
            else if (char.IsLower(c) && TextNormalizer.FoldLetter(char.ToUpperInvariant(c)) is var g and not '\0') sb.Append(char.ToLowerInvariant(g));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static string TitleCase(string text) => CultureInfo.GetCultureInfo("es-MX").TextInfo.ToTitleCase(text.ToLower(CultureInfo.GetCultureInfo("es-MX")));
}
