using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Registry.Api.Coverage;

/// <summary>
/// A published count: its value, or hidden ("&lt;5") by small-cell suppression. In JSON a number, or the
/// string "&lt;k" when hidden — the same text the page and the CSV show.
/// </summary>
[JsonConverter(typeof(CoverageCountJson))]
public readonly record struct CoverageCount(long Value, bool Hidden, int Minimum)
{
    /// <summary>The value only when visible (charts draw nothing for a hidden count).</summary>
    public long? Visible => Hidden ? null : Value;
    public override string ToString() => Hidden ? Registry.Coverage.SmallCellSuppression.HiddenText(Minimum) : Value.ToString(CultureInfo.InvariantCulture);
}

public sealed class CoverageCountJson : JsonConverter<CoverageCount>
{
    public override CoverageCount Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number
            ? new CoverageCount(reader.GetInt64(), false, 0)
            : new CoverageCount(0, true, int.TryParse(reader.GetString()?.TrimStart('<'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) ? k : 0);

    public override void Write(Utf8JsonWriter writer, CoverageCount value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.Hidden) writer.WriteStringValue(value.ToString());
        else writer.WriteNumberValue(value.Value);
    }
}

/// <summary>What a coverage read asks: a territory (municipality → polígono → colonia), a period of whole months, optionally a sector or programme.</summary>
public sealed record CoverageRequest(string Municipality, string? Poligono, string? Colonia, DateOnly From, DateOnly To, string? Sector, string? Programme)
{
    /// <summary>The level the areas of the report are: polígonos of a municipality, colonias of a polígono (or of a colonia: itself).</summary>
    public string AreaLevel => Poligono is null && Colonia is null ? "poligono" : "colonia";
}

/// <summary>Reached in the period (households, persons; households new to the registry's services vs returning), for the whole territory or one area.</summary>
public sealed record ReachedCounts(string Area, CoverageCount Households, CoverageCount Persons, CoverageCount NewHouseholds, CoverageCount ReturningHouseholds);

/// <summary>
/// Households of a territory (or area) by how many sectors reached them in the gap window (the 12 months up to the current
/// month): none, one only, several.
/// </summary>
public sealed record SectorBreadth(string Area, CoverageCount Households, CoverageCount NoSector, CoverageCount OneSector, CoverageCount SeveralSectors);

/// <summary>One cell of a sector × area table.</summary>
public sealed record SectorAreaCount(string Area, string Sector, CoverageCount Households);

public sealed record SectorCount(string Sector, CoverageCount Households);

public sealed record MonthCount(DateOnly Month, CoverageCount Households, CoverageCount Persons);

public sealed record ProgrammeOption(string Sector, string Programme);

/// <summary>
/// Coverage of one territory for one period, as one reader may see it: every count below the minimum cell (k) is hidden,
/// with complementary suppression (<see cref="Registry.Coverage.SmallCellSuppression"/>); programmes of sensitive sectors
/// are absent for readers without the grant. <see cref="Gaps"/>, <see cref="GapsByArea"/> and <see cref="Breadth"/> look
/// at the gap window (the 12 months up to the current month), whatever the period.
/// </summary>
public sealed record CoverageReport(
    string Municipality, string? Poligono, string? Colonia, DateOnly From, DateOnly To, string? Sector, string? Programme,
    int MinimumCell, string AreaLevel, DateOnly GapWindowFrom, DateOnly GapWindowTo,
    ReachedCounts Total, IReadOnlyList<ReachedCounts> Areas,
    IReadOnlyList<SectorCount> Sectors, IReadOnlyList<SectorAreaCount> SectorsByArea,
    IReadOnlyList<MonthCount> Months,
    SectorBreadth Breadth, IReadOnlyList<SectorBreadth> BreadthByArea,
    IReadOnlyList<SectorCount> Gaps, IReadOnlyList<SectorAreaCount> GapsByArea,
    IReadOnlyList<ProgrammeOption> Programmes, bool OpensHouseholds);

/// <summary>A household of a gap list: no service of the sector in the gap window (the id links to its page).</summary>
public sealed record GapHousehold(Guid HouseholdId, string Poligono, string Colonia, int Members, DateOnly? LastServiceMonth);

public sealed record GapHouseholdPage(
    string Municipality, string? Poligono, string? Colonia, string? Sector, DateOnly GapWindowFrom, IReadOnlyList<GapHousehold> Items,
    int Page, int PageSize, long Total);
