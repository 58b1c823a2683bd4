using System.Globalization;

namespace Registry.Normalization;

/// <summary>Outcome of parsing a date: the date and the format that matched, or why it was rejected.</summary>
public readonly record struct DateParseResult(DateOnly? Date, string? Format, string? Error)
{
    /// <summary>True when a date was obtained.</summary>
    public bool Ok => Date is not null;

    internal static DateParseResult Success(DateOnly date, string format) => new(date, format, null);
    internal static DateParseResult Failure(string error) => new(null, null, error);
}

/// <summary>How two dates of birth relate, for matching (most to least agreeing).</summary>
public enum DateAgreement
{
    /// <summary>Same day.</summary>
    Exact,
    /// <summary>Day and month swapped (05/03 vs 03/05): the classic dd/MM vs MM/dd mix-up.</summary>
    DayMonthSwapped,
    /// <summary>Same day and month, year one apart (age-derived or mistyped year).</summary>
    YearOffByOne,
    /// <summary>Two of day, month and year agree.</summary>
    OneComponentDiffers,
    /// <summary>Disagree in two or more components.</summary>
    Different,
    /// <summary>One side unknown: no evidence.</summary>
    Missing,
}

/// <summary>
/// Dates as agencies send them. Each feed definition names its formats ("dd/MM/yyyy",
/// "d/M/yyyy", "yyyy-MM-dd", "d-M-yy", "yyyyMMdd", "excel"…); they are tried in order, then an
/// optional lenient fallback (ISO with time, 8-digit yyyyMMdd, day-first d/M/y with / - . or
/// space, Spanish month names, 5-digit Excel serials). Two-digit years pivot so the date is not
/// after the reference date. Impossible dates (31/02), years before 1900 and — for birth dates —
/// dates after the reference are rejected with a reason a data steward can act on.
/// Formats are parsed by hand: d, dd, M, MM, MMM (Spanish/English month abbreviation), yy, yyyy,
/// and literal separators; "excel" is the 1900 date system (with Lotus' phantom 29/02/1900).
/// </summary>
public static class Dates
{
    /// <summary>The format name for Excel serial day numbers.</summary>
    public const string Excel = "excel";

    private static readonly DateOnly ExcelEpoch = new(1899, 12, 31);

    private static readonly string[] LenientFormats =
        ["yyyy-M-d", "yyyy/M/d", "yyyyMMdd", "d/M/yyyy", "d-M-yyyy", "d.M.yyyy", "d M yyyy", "d/M/yy", "d-M-yy", "d.M.yy", "d-MMM-yyyy", "d MMM yyyy", "d/MMM/yyyy", "d-MMM-yy"];

    private static readonly string[] SpanishMonths = ["ENE", "FEB", "MAR", "ABR", "MAY", "JUN", "JUL", "AGO", "SEP", "OCT", "NOV", "DIC"];
    private static readonly string[] EnglishMonths = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    /// <summary>
    /// Parses <paramref name="raw"/> with the caller's <paramref name="formats"/> (in order), then,
    /// when <paramref name="lenient"/>, with the fallback set. Rejects dates before 1900.
    /// Two-digit years resolve to the latest year not after <paramref name="reference"/>.
    /// </summary>
    public static DateParseResult Parse(string? raw, IReadOnlyList<string>? formats, DateOnly reference, bool lenient = true)
    {
        if (string.IsNullOrWhiteSpace(raw)) return DateParseResult.Failure("date is empty");
        var text = raw.AsSpan().Trim();
        string? firstError = null;

        if (formats is not null)
        {
            foreach (var format in formats)
            {
                var result = TryFormat(text, format, reference);
                if (result.Ok) return result;
                firstError ??= result.Error;
            }
        }
        if (lenient || formats is null || formats.Count == 0)
        {
            var result = Lenient(text, reference);
            if (result.Ok) return result;
            firstError ??= result.Error;
        }
        return DateParseResult.Failure(firstError is null || firstError.StartsWith("does not match", StringComparison.Ordinal)
            ? $"'{raw.Trim()}' is not a date in the formats {Describe(formats, lenient)}"
            : $"'{raw.Trim()}': {firstError}");
    }

    /// <summary>As <see cref="Parse"/>, and also rejects a birth date after <paramref name="reference"/> (normally today).</summary>
    public static DateParseResult ParseBirthDate(string? raw, IReadOnlyList<string>? formats, DateOnly reference, bool lenient = true)
    {
        var result = Parse(raw, formats, reference, lenient);
        if (result.Date is { } date && date > reference)
            return DateParseResult.Failure($"birth date {Iso(date)} is in the future (after {Iso(reference)})");
        return result;
    }

    /// <summary>
    /// Excel 1900-system serial → date: 1 = 01/01/1900, 59 = 28/02/1900, 60 is the non-existent
    /// 29/02/1900 (rejected), 61 = 01/03/1900. A fractional part (time of day) is ignored.
    /// </summary>
    public static DateParseResult FromExcelSerial(double serial)
    {
        if (double.IsNaN(serial) || serial < 1) return DateParseResult.Failure($"Excel serial {serial.ToString(CultureInfo.InvariantCulture)} is before 1900-01-01");
        var days = (int)Math.Floor(serial);
        if (days > 2958465) return DateParseResult.Failure($"Excel serial {days.ToString(CultureInfo.InvariantCulture)} is after 9999-12-31");
        if (days == 60) return DateParseResult.Failure("Excel serial 60 is 29/02/1900, a day that never existed (Excel's 1900 leap-year bug)");
        return DateParseResult.Success(ExcelEpoch.AddDays(days < 60 ? days : days - 1), Excel);
    }

    /// <summary>How two dates relate; <see cref="DateAgreement.Missing"/> when either is null.</summary>
    public static DateAgreement Compare(DateOnly? a, DateOnly? b)
    {
        if (a is not { } x || b is not { } y) return DateAgreement.Missing;
        if (x == y) return DateAgreement.Exact;
        if (x.Year == y.Year && x.Day == y.Month && x.Month == y.Day) return DateAgreement.DayMonthSwapped;
        var same = (x.Year == y.Year ? 1 : 0) + (x.Month == y.Month ? 1 : 0) + (x.Day == y.Day ? 1 : 0);
        if (x.Month == y.Month && x.Day == y.Day && Math.Abs(x.Year - y.Year) == 1) return DateAgreement.YearOffByOne;
        return same == 2 ? DateAgreement.OneComponentDiffers : DateAgreement.Different;
    }

    /// <summary>ISO yyyy-MM-dd, invariant.</summary>
    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateParseResult Lenient(ReadOnlySpan<char> text, DateOnly reference)
    {
        // ISO date-time: keep the date part.
        var cut = text.IndexOfAny('T', ' ');
        if (cut == 10 && text.Length > 10 && text[4] == '-') text = text[..10];

        string? firstError = null;
        foreach (var format in LenientFormats)
        {
            var result = TryFormat(text, format, reference);
            if (result.Ok) return result with { Format = "lenient:" + format };
            if (result.Error is { } e && !e.StartsWith("does not match", StringComparison.Ordinal)) firstError ??= e;
        }
        // Month-first, only when day-first cannot be right (13/.. impossible as a month).
        var us = TryFormat(text, "M/d/yyyy", reference);
        if (us.Ok) return us with { Format = "lenient:M/d/yyyy" };

        // Written out: "15 de enero de 1980", "15-ENE-1980", "5 Sept. 1980".
        if (text.ContainsAnyInRange('A', 'Z') || text.ContainsAnyInRange('a', 'z'))
        {
            var words = TextNormalizer.Words(text.ToString()).Where(w => w is not ("DE" or "DEL")).ToArray();
            var spaced = string.Join(' ', words);
            foreach (var format in (ReadOnlySpan<string>)["d MMM yyyy", "d MMM yy"])
            {
                var result = TryFormat(spaced, format, reference);
                if (result.Ok) return result with { Format = "lenient:" + format };
                if (result.Error is { } e && !e.StartsWith("does not match", StringComparison.Ordinal)) firstError ??= e;
            }
        }

        if (text.Length == 5 && IsDigits(text))
            return FromExcelSerial(int.Parse(text, CultureInfo.InvariantCulture)) is { Ok: true } excel
                ? excel with { Format = "lenient:excel" }
                : DateParseResult.Failure("does not match");
        return DateParseResult.Failure(firstError ?? "does not match");
    }

    private static DateParseResult TryFormat(ReadOnlySpan<char> text, string format, DateOnly reference)
    {
        if (string.Equals(format, Excel, StringComparison.OrdinalIgnoreCase))
        {
            return double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var serial)
                ? FromExcelSerial(serial)
                : DateParseResult.Failure("does not match excel");
        }

        int day = -1, month = -1, year = -1;
        var twoDigitYear = false;
        var t = 0;
        var f = 0;
        while (f < format.Length)
        {
            var symbol = format[f];
            var run = 1;
            while (f + run < format.Length && format[f + run] == symbol) run++;
            f += run;
            switch (symbol)
            {
                case 'd' when run <= 2:
                    if (!ReadNumber(text, ref t, run == 2 ? 2 : 1, 2, out day)) return NoMatch(format);
                    break;
                case 'M' when run <= 2:
                    if (!ReadNumber(text, ref t, run == 2 ? 2 : 1, 2, out month)) return NoMatch(format);
                    break;
                case 'M' when run == 3:
                    if (!ReadMonthName(text, ref t, out month)) return NoMatch(format);
                    break;
                case 'y' when run == 4:
                    if (!ReadNumber(text, ref t, 4, 4, out year)) return NoMatch(format);
                    break;
                case 'y' when run == 2:
                    if (!ReadNumber(text, ref t, 2, 2, out year)) return NoMatch(format);
                    twoDigitYear = true;
                    break;
                case 'd' or 'M' or 'y':
                    throw new ArgumentException($"Unsupported date format '{format}'", nameof(format));
                default:
                    for (var k = 0; k < run; k++)
                    {
                        if (t >= text.Length || text[t] != symbol) return NoMatch(format);
                        t++;
                    }
                    break;
            }
        }
        if (t != text.Length || day < 0 || month < 0 || year < 0) return NoMatch(format);

        if (twoDigitYear)
        {
            year += reference.Year / 100 * 100;
            if (year > reference.Year || year == reference.Year && (month > reference.Month || month == reference.Month && day > reference.Day))
                year -= 100;
        }
        if (month is < 1 or > 12) return DateParseResult.Failure(string.Create(CultureInfo.InvariantCulture, $"month {month} does not exist"));
        if (year < 1900) return DateParseResult.Failure(string.Create(CultureInfo.InvariantCulture, $"year {year} is before 1900"));
        if (year > 9999) return NoMatch(format);
        if (day < 1 || day > DateTime.DaysInMonth(year, month))
            return DateParseResult.Failure(string.Create(CultureInfo.InvariantCulture, $"day {day} does not exist in {year}-{month:00}"));
        return DateParseResult.Success(new DateOnly(year, month, day), format);
    }

    private static DateParseResult NoMatch(string format) => DateParseResult.Failure("does not match " + format);

    private static bool ReadNumber(ReadOnlySpan<char> text, ref int t, int minDigits, int maxDigits, out int value)
    {
        value = 0;
        var start = t;
        while (t < text.Length && t - start < maxDigits && char.IsAsciiDigit(text[t]))
        {
            value = value * 10 + (text[t] - '0');
            t++;
        }
        return t - start >= minDigits;
    }

    private static bool ReadMonthName(ReadOnlySpan<char> text, ref int t, out int month)
    {
        month = -1;
        var start = t;
        while (t < text.Length && char.IsLetter(text[t])) t++;
        if (t - start < 3) return false;
        var word = TextNormalizer.Normalize(text[start..t].ToString());
        var prefix = word[..3];
        month = Array.IndexOf(SpanishMonths, prefix) + 1;
        if (month == 0) month = Array.IndexOf(EnglishMonths, prefix) + 1;
        if (month == 0) month = prefix switch { "SET" => 9, "MZO" => 3, _ => 0 };
        return month > 0;
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text) if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    private static string Describe(IReadOnlyList<string>? formats, bool lenient)
    {
        var listed = formats is null || formats.Count == 0 ? "(none)" : string.Join(", ", formats);
        return lenient ? listed + " or the lenient fallback" : listed;
    }
}
