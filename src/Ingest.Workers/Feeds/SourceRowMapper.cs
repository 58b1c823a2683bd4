using System.Security.Cryptography;
using System.Text;
using Registry.Contracts;
using Registry.Extracts;
using Registry.Feeds;
using Registry.Normalization;

namespace Registry.Ingest.Feeds;

/// <summary>One parsed data row: accepted (mapped to canonical fields) or rejected with its reason.</summary>
public readonly record struct ParsedRow(SourceRow? Accepted, RejectedRow? Rejected);

/// <summary>A fault of the whole extract (unknown layout, missing column, bad bytes, malformed page): nothing of it is applied.</summary>
public sealed class ExtractFileException(string message) : Exception(message);

/// <summary>How much of an extract's file a streaming reader has consumed so far (for progress reports).</summary>
public sealed class ParseProgress
{
    public long BytesRead { get; set; }
}

/// <summary>A canonical field and where its value sits in a source row (CSV column index, or index of a JSON property path).</summary>
public readonly record struct FieldSlot(string Field, int Slot);

/// <summary>The raw values of one source row, whatever its format (a CSV record, a JSON object).</summary>
public interface IRowValues
{
    /// <summary>The value in <paramref name="slot"/>, untrimmed; null when absent.</summary>
    string? Value(int slot);

    /// <summary>The row as the agency sent it, for rejected rows only.</summary>
    string RawLine();
}

/// <summary>
/// Where a source row becomes a <see cref="SourceRow"/>, for every feed kind: trims values, bounds
/// their length, applies the feed's code lists, has <see cref="FieldQuality"/> check required fields,
/// dates, identifiers and attribution (an invalid optional value is left out with a warning), and
/// computes the record key and content hash (over the values as sent, warned ones included). CSV columns and API properties reach it the same way (as slots),
/// so a CSV drop and an API page of the same records yield the same rows.
/// </summary>
public static class SourceRowMapper
{
    /// <summary>No canonical field is longer than this; a longer value is a broken row, not a name.</summary>
    public const int MaxFieldLength = 2_000;

    /// <summary>Rejected rows keep at most this much of their raw line (enough to find and fix it).</summary>
    public const int MaxRawLineKept = 8_192;

    /// <param name="slots">Mapped fields sorted by field name (so the content hash is built in one pass, in a stable order).</param>
    /// <param name="sourceWord">What the agency calls a slot in error messages: "column" or "property".</param>
    public static ParsedRow Map<TRow>(in TRow row, int rowNumber, FieldSlot[] slots, FeedDefinition feed, string sourceWord)
        where TRow : struct, IRowValues
    {
        var values = new Dictionary<string, string?>(slots.Length, StringComparer.Ordinal);
        var content = new StringBuilder(256);
        foreach (var (field, slot) in slots)
        {
            var value = row.Value(slot)?.Trim();
            if (string.IsNullOrEmpty(value)) value = null;
            else if (value.Length > MaxFieldLength)
                return Reject(row, rowNumber, $"{field} ({sourceWord} '{feed.Fields[field][0]}') is {value.Length:N0} characters long; the limit is {MaxFieldLength:N0}");
            else if (feed.Values.TryGetValue(field, out var codes) && codes.TryGetValue(value, out var mapped)) value = mapped;
            values[field] = value;
            content.Append(field).Append('=').Append(value).Append('\u001f');
        }

        // Required fields, dates, identifiers, attribution: one rule set for every feed (FieldQuality). An invalid
        // optional value is left out of the row with a warning; only a missing required field or a row that names
        // no one is rejected.
        // The record key is the agency's identity of the record: made of the values as sent, before any is left out.
        var recordKey = string.Join('|', feed.RecordKey.Select(k => values.GetValueOrDefault(k)?.Replace("|", "||", StringComparison.Ordinal)));
        var quality = FieldQuality.Check(values, feed, DateOnly.FromDateTime(DateTime.UtcNow), sourceWord);
        if (quality.Rejection is { } reason) return Reject(row, rowNumber, reason);

        string? V(string field) => values.GetValueOrDefault(field);
        // A single full-name column is split here, so matching, survivorship and display see name
        // parts like any other row's; the column as sent travels along (FullName) and marks the split as a guess.
        var fullName = V(CanonicalFields.FullName);
        var split = fullName is null ? null : PersonName.Split(fullName,
            feed.FullNameOrder == FullNameOrders.SurnamesFirst ? NameOrder.SurnamesFirst : NameOrder.GivenFirst);
        var mappedRow = new SourceRow
        {
            RowNumber = rowNumber,
            RecordKey = recordKey,
            ContentHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content.ToString()))),
            AgencyPersonId = V(CanonicalFields.AgencyPersonId),
            Curp = V(CanonicalFields.Curp),
            GivenNames = split is null ? V(CanonicalFields.GivenNames) : NullIfEmpty(split.GivenNames),
            PaternalSurname = split is null ? V(CanonicalFields.PaternalSurname) : split.Paternal,
            MaternalSurname = split is null ? V(CanonicalFields.MaternalSurname) : split.Maternal,
            FullName = fullName,
            Sex = V(CanonicalFields.Sex),
            BirthDate = quality.BirthDate,
            OtherId = V(CanonicalFields.OtherId),
            Phone = V(CanonicalFields.Phone),
            Street = V(CanonicalFields.Street),
            HouseNumber = V(CanonicalFields.HouseNumber),
            Colonia = V(CanonicalFields.Colonia) ?? V(CanonicalFields.Barrio),
            PostalCode = V(CanonicalFields.PostalCode),
            Municipality = V(CanonicalFields.Municipality),
            Poligono = V(CanonicalFields.Poligono) ?? V(CanonicalFields.Comuna) ?? V(CanonicalFields.Corregimiento),
            AgencyHouseholdId = V(CanonicalFields.AgencyHouseholdId),
            RelationshipToHead = V(CanonicalFields.RelationshipToHead),
            Programme = V(CanonicalFields.Programme),
            ServiceType = V(CanonicalFields.ServiceType),
            ServiceDate = quality.ServiceDate,
            ServiceStatus = V(CanonicalFields.ServiceStatus),
            Warnings = quality.Warnings,
        };
        return new ParsedRow(mappedRow, null);
    }

    // The raw line is only materialised for rejected rows (accepted rows never need it).
    public static ParsedRow Reject<TRow>(in TRow row, int rowNumber, string reason) where TRow : struct, IRowValues
    {
        var raw = row.RawLine().TrimEnd('\r', '\n');
        if (raw.Length > MaxRawLineKept) raw = string.Concat(raw.AsSpan(0, MaxRawLineKept), $"… [{raw.Length:N0} characters]");
        return new(null, new RejectedRow(rowNumber, reason, raw));
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
