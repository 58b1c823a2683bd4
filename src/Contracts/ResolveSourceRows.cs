namespace Registry.Contracts;

/// <summary>
/// Command: resolve one chunk of accepted rows of an extract into the registry.
/// Sent (not published) to the resolution queue; consumers are idempotent on
/// (<see cref="ExtractId"/>, <see cref="ChunkIndex"/>), so a redelivered chunk changes nothing.
/// </summary>
public sealed record ResolveSourceRows(
    Guid ExtractId,
    int ChunkIndex,
    int FirstRow,
    int LastRow,
    string FeedCode,
    string AgencyCode,
    string Sector,
    IReadOnlyList<SourceRow> Rows);

/// <summary>
/// One accepted row of an agency extract, already mapped from the feed's columns to the
/// registry's canonical fields and validated. Values are as the agency sent them (trimmed);
/// identity normalisation happens during resolution so the raw evidence travels with the row.
/// </summary>
public sealed record SourceRow
{
    /// <summary>1-based data row number in the file (the header is row 0).</summary>
    public required int RowNumber { get; init; }

    /// <summary>The agency's identity of this record (values of the feed's record-key fields); stable across re-sent rosters.</summary>
    public required string RecordKey { get; init; }

    /// <summary>SHA-256 (hex) of the row's mapped content; identical rows resent later share it.</summary>
    public required string ContentHash { get; init; }

    public string? AgencyPersonId { get; init; }
    public string? Curp { get; init; }
    public string? GivenNames { get; init; }
    public string? PaternalSurname { get; init; }
    public string? MaternalSurname { get; init; }
    /// <summary>The single full-name column as sent, when the feed has one (the split parts above are then a guess).</summary>
    public string? FullName { get; init; }
    public string? Sex { get; init; }
    public DateOnly? BirthDate { get; init; }
    /// <summary>Another personal identifier the agency holds (social-security number, cédula, FEBRL's soc_sec_id): matching evidence, not a key.</summary>
    public string? OtherId { get; init; }
    public string? Phone { get; init; }
    public string? Street { get; init; }
    public string? HouseNumber { get; init; }
    public string? Colonia { get; init; }
    public string? PostalCode { get; init; }
    public string? Municipality { get; init; }
    public string? Poligono { get; init; }
    public string? AgencyHouseholdId { get; init; }
    public string? RelationshipToHead { get; init; }
    public string? Programme { get; init; }
    public string? ServiceType { get; init; }
    public DateOnly? ServiceDate { get; init; }
    public string? ServiceStatus { get; init; }

    /// <summary>
    /// Values the agency sent that were left out as invalid or implausible (a birth date in the future, a
    /// CURP that is no CURP, …): the row was kept, the value is not used by matching or the golden record,
    /// and this keeps it as sent with the reason. Null when every value was usable.
    /// </summary>
    public IReadOnlyList<FieldWarning>? Warnings { get; init; }
}

/// <summary>One value left out of a row: the canonical field, the value as the agency sent it (trimmed), and why.</summary>
public sealed record FieldWarning(string Field, string Value, string Reason);
