using System.Globalization;
using Registry.Contracts;
using Registry.Matching;
using Registry.Normalization;

namespace Registry.Feeds;

/// <summary>The verdict on one row's values: a rejection (why), or its dates and the values left out with a warning.</summary>
public readonly record struct RowQuality(string? Rejection, DateOnly? BirthDate, DateOnly? ServiceDate, IReadOnlyList<FieldWarning>? Warnings)
{
    public bool Rejected => Rejection is not null;
}

/// <summary>
/// The one place that decides, field by field, whether a row's values are usable (hard rule 8). A row is
/// rejected only when it lacks a field its feed marks required (empty, or a value that is not valid), or
/// when it cannot be attributed to anyone: no name and no identifier. Any other invalid or implausible
/// value — a birth date that is no date, before the feed's earliest plausible year or in the future, a
/// CURP that is no CURP, a phone or postal code that is none, a placeholder identifier — is left out of
/// the row with a <see cref="FieldWarning"/> (field, value as sent, reason): matching and the golden
/// record never see it, the warning travels with the row into its source record (lineage) and the
/// extract's acceptance report, and the row and its service are kept.
/// <para>
/// One exception, on purpose: an 18-character CURP that fails its check digit or structure stays in the
/// row (with its warning). It was never an identity key nor a golden-record CURP, but matching compares
/// it as a possible typo of a true CURP (one mistyped character), and blocks on its first ten characters.
/// </para>
/// </summary>
public static class FieldQuality
{
    /// <summary>Fields with a validity rule, in the order their warnings are listed.</summary>
    public static readonly IReadOnlyList<string> CheckedFields =
    [
        CanonicalFields.BirthDate, CanonicalFields.ServiceDate, CanonicalFields.Curp, CanonicalFields.Phone,
        CanonicalFields.PostalCode, CanonicalFields.OtherId,
    ];

    private static readonly string[] NameFields =
        [CanonicalFields.GivenNames, CanonicalFields.PaternalSurname, CanonicalFields.MaternalSurname, CanonicalFields.FullName];

    private static readonly string[] IdentifierFields = [CanonicalFields.AgencyPersonId, CanonicalFields.Curp, CanonicalFields.OtherId];

    /// <summary>
    /// Checks one mapped row (<paramref name="values"/>: canonical field → trimmed value, null when empty). Values
    /// left out are set to null in <paramref name="values"/> (so the caller builds the row from what is usable).
    /// </summary>
    /// <param name="today">Reference date for "in the future" and two-digit years.</param>
    /// <param name="sourceWord">What the agency calls a slot in messages: "column" or "property".</param>
    public static RowQuality Check(Dictionary<string, string?> values, FeedDefinition feed, DateOnly today, string sourceWord)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(feed);
        foreach (var field in feed.Required)
        {
            if (values.GetValueOrDefault(field) is null)
                return Reject($"required field {field} ({Where(field, feed, sourceWord)}) is empty");
        }

        List<FieldWarning>? warnings = null;
        if (values.GetValueOrDefault(CanonicalFields.DocumentNumber) is { } documentNumber)
        {
            var (problem, required) = TypedDocument(values, feed);
            if (problem is not null)
            {
                if (required) return Reject($"{CanonicalFields.DocumentNumber} '{documentNumber}' ({Where(CanonicalFields.DocumentNumber, feed, sourceWord)}) is {problem}");
                (warnings ??= []).Add(new FieldWarning(CanonicalFields.DocumentNumber, documentNumber, problem));
            }
        }
        DateOnly? birth = null, service = null;
        foreach (var field in CheckedFields)
        {
            if (values.GetValueOrDefault(field) is not { } value) continue;
            var (problem, keep) = Problem(field, value, feed, today, out var date);
            if (problem is null)
            {
                if (field == CanonicalFields.BirthDate) birth = date;
                else if (field == CanonicalFields.ServiceDate) service = date;
                continue;
            }
            if (feed.Required.Contains(field))
                return Reject($"{field} '{value}' ({Where(field, feed, sourceWord)}) is {problem}");
            (warnings ??= []).Add(new FieldWarning(field, value, problem));
            if (!keep) values[field] = null;
        }

        if (!NamesAnyone(values))
        {
            var mapped = IdentifierFields.Concat(NameFields).Where(feed.Fields.ContainsKey).Select(f => $"{f} ({Where(f, feed, sourceWord)})");
            return Reject($"the row cannot be attributed to anyone: it has no name and no identifier (of {string.Join(", ", mapped)}, none is usable)");
        }
        return new RowQuality(null, birth, service, warnings);
    }

    /// <summary>
    /// Why <paramref name="value"/> of <paramref name="field"/> is not usable (null when it is), and whether it
    /// stays in the row all the same (only an 18-character CURP, see the type's summary).
    /// </summary>
    public static (string? Problem, bool Keep) Problem(string field, string value, FeedDefinition feed, DateOnly today, out DateOnly? date)
    {
        ArgumentNullException.ThrowIfNull(feed);
        date = null;
        switch (field)
        {
            case CanonicalFields.BirthDate:
            {
                // Dates only in the feed's declared formats: 03/04 is ambiguous, so nothing is guessed.
                var parsed = Dates.ParseBirthDate(value, feed.DateFormats, today, lenient: false);
                if (!parsed.Ok) return (NotADate(parsed.Error, feed), false);
                var earliest = feed.Quality.EarliestBirthYear;
                if (parsed.Date!.Value.Year < earliest)
                    return (NotADate(string.Create(CultureInfo.InvariantCulture, $"year {parsed.Date.Value.Year} is before {earliest}, the feed's earliest plausible birth year"), feed), false);
                date = parsed.Date;
                return (null, true);
            }
            case CanonicalFields.ServiceDate:
            {
                var parsed = Dates.Parse(value, feed.DateFormats, today, lenient: false);
                if (!parsed.Ok) return (NotADate(parsed.Error, feed), false);
                date = parsed.Date;
                return (null, true);
            }
            case CanonicalFields.Curp:
                return CurpProblem(value);
            case CanonicalFields.Phone:
                return Phones.Normalize(value) is not { } phone ? ("not a phone number: fewer than 10 digits", false)
                    : !Phones.IsValid(phone) ? ($"not a phone number: {phone} is a placeholder or not a national number", false)
                    : (null, true);
            case CanonicalFields.PostalCode:
                return IsPostalCode(value) ? (null, true) : ("not a postal code: no 5 digits (or 4 that lost a leading zero)", false);
            case CanonicalFields.OtherId:
                return MatchRecord.NormalizeOtherId(value) is null
                    ? ("not an identifier: fewer than 5 letters or digits, or one character repeated (a placeholder)", false)
                    : (null, true);
            default:
                return (null, true);
        }
    }

    /// <summary>
    /// A typed document (<c>document_type</c> + <c>document_number</c>, <see cref="IdentityDocuments"/>): a valid one
    /// becomes the row's typed other identifier (<c>CC:1036612345</c>), a CURP goes to the CURP field (checked there).
    /// An unknown type or a number that is no valid document of its type is left out with a warning (rejected only when
    /// the feed requires the number). Returns the problem and whether the feed requires the number.
    /// </summary>
    private static (string? Problem, bool Required) TypedDocument(Dictionary<string, string?> values, FeedDefinition feed)
    {
        var number = values[CanonicalFields.DocumentNumber]!;
        var required = feed.Required.Contains(CanonicalFields.DocumentNumber);
        var typeText = values.GetValueOrDefault(CanonicalFields.DocumentType);
        if (IdentityDocuments.ParseType(typeText) is not { } type)
        {
            values[CanonicalFields.DocumentNumber] = null;
            return (typeText is null
                ? "a document number without its type (document_type): left out, as the same digits mean another person in another type"
                : $"a document of unknown type '{typeText}' (known: {string.Join(", ", IdentityDocuments.Types)}; map the agency's codes with the feed's values)", required);
        }
        values[CanonicalFields.DocumentType] = type;
        if (type == IdentityDocuments.Curp)
        {
            if (values.GetValueOrDefault(CanonicalFields.Curp) is null) values[CanonicalFields.Curp] = number; // the CURP's own rules apply below
            return (null, required);
        }
        if (IdentityDocuments.Problem(type, number, out var clean) is { } problem)
        {
            values[CanonicalFields.DocumentNumber] = null;
            return (problem, required);
        }
        if (values.GetValueOrDefault(CanonicalFields.OtherId) is null) values[CanonicalFields.OtherId] = IdentityDocuments.Typed(type, clean);
        return (null, required);
    }

    private static (string?, bool) CurpProblem(string value)
    {
        var curp = Curp.Clean(value);
        if (curp is null || curp.Length != 18)
            return (string.Create(CultureInfo.InvariantCulture, $"not a CURP: {curp?.Length ?? 0} letters and digits, a CURP has 18"), false);
        if (Curp.IsValid(curp)) return (null, true);
        const string Kept = "; kept only to compare as a possible typo, never as an identity key or in the golden record";
        var check = Curp.CheckDigit(curp.AsSpan(0, 17));
        var structureOk = check >= 0 && Curp.BirthDate(curp) is not null && curp[10] is ('H' or 'M') && char.IsAsciiDigit(curp[17]);
        return structureOk && check != curp[17] - '0'
            ? (string.Create(CultureInfo.InvariantCulture, $"not a valid CURP: its check digit is {curp[17]}, the one computed from the other 17 characters is {check}{Kept}"), true)
            : ($"not a valid CURP: it does not have a CURP's structure (4 letters, birth date YYMMDD, H/M, state, 3 consonants, homonym, check digit){Kept}", true);
    }

    /// <summary>
    /// A postal-code column: 5 digits (4 when a spreadsheet dropped the leading zero), or a code marked in a
    /// longer text ("C.P. 88540"); zeros only (00000) are a placeholder.
    /// </summary>
    private static bool IsPostalCode(string value)
    {
        var v = value.AsSpan().Trim();
        if (v.Length is 4 or 5 && !v.ContainsAnyExceptInRange('0', '9')) return v.IndexOfAnyExcept('0') >= 0;
        return Addresses.ExtractPostalCode(value) is not null;
    }

    private static string NotADate(string? why, FeedDefinition feed) =>
        $"not a valid date in the feed's formats ({string.Join(", ", feed.DateFormats)}): {why}";

    /// <summary>A usable name (a part with a letter) or a usable identifier (agency id, a valid CURP, another identifier).</summary>
    private static bool NamesAnyone(Dictionary<string, string?> values)
    {
        foreach (var field in NameFields)
            if (values.GetValueOrDefault(field) is { } name && name.Any(char.IsLetter)) return true;
        if (values.GetValueOrDefault(CanonicalFields.AgencyPersonId) is { } id && id.Any(char.IsLetterOrDigit)) return true;
        if (Curp.IsValid(Curp.Clean(values.GetValueOrDefault(CanonicalFields.Curp)))) return true;
        return values.GetValueOrDefault(CanonicalFields.OtherId) is not null; // placeholders were left out above
    }

    private static string Where(string field, FeedDefinition feed, string sourceWord) => $"{sourceWord} '{feed.Fields[field][0]}'";

    private static RowQuality Reject(string reason) => new(reason, null, null, null);
}
