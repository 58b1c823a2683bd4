using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Registry.Api.Access;

namespace Registry.Api.Coverage;

/// <summary>
/// /cobertura: coverage of a municipality, polígono or colonia for a period — the numbers of GET /api/coverage drawn as
/// bars (reached per area), a sector × area heatmap of gaps (each cell opens that area for that sector) and a monthly
/// line; scoped, suppressed and logged exactly as the API (both go through <see cref="CoverageQueries"/>).
/// </summary>
[Authorize(Policy = AccessPolicies.Coverage)]
public sealed class CoveragePageModel(CoverageQueries coverage, AccessLog log) : PageModel
{
    public CoverageReport? Report { get; private set; }
    public IReadOnlyList<string> Municipalities { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var user = RegistryUser.From(User);
        Municipalities = await coverage.MunicipalitiesAsync(user, ct);
        var query = Request.Query;
        var asked = query.ContainsKey("municipio") || query.ContainsKey("municipality");
        if (!asked)
        {
            // One municipality: straight to it; several: the reader picks one.
            if (Municipalities.Count != 1) return Page();
            return Redirect($"/cobertura?municipio={Uri.EscapeDataString(Municipalities[0])}");
        }
        try
        {
            var (request, opens) = await coverage.AuthorizeAsync(CoverageEndpoints.Parse(query, coverage), user, ct);
            Report = await coverage.LoadAsync(request, opens, user, ct);
            await log.RecordAsync(HttpContext, user, AccessKind.Coverage, null, CoverageEndpoints.Describe(request, "ui"), ct: ct);
            return Page();
        }
        catch (CoverageRefusedException refusal) when (refusal.OutOfScope)
        {
            return Forbid();
        }
        catch (CoverageRefusedException refusal)
        {
            Error = refusal.Message;
            return Page();
        }
    }

    /// <summary>This page's address with some parameters changed (null removes one).</summary>
    public string Link(string path = "/cobertura", string? poligono = "", string? colonia = "", string? sector = "", string? programa = "")
    {
        var r = Report!;
        var q = new List<string> { "municipio=" + Uri.EscapeDataString(r.Municipality) };
        void Add(string name, string? value, string? current)
        {
            var v = value == "" ? current : value;
            if (!string.IsNullOrEmpty(v)) q.Add(name + "=" + Uri.EscapeDataString(v));
        }
        Add("poligono", poligono, r.Poligono);
        Add("colonia", colonia, r.Colonia);
        q.Add("desde=" + r.From.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
        q.Add("hasta=" + r.To.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
        Add("sector", sector, r.Sector);
        Add("programa", programa, r.Programme);
        return path + "?" + string.Join('&', q);
    }

    /// <summary>The address of one area of the report (a polígono of a municipality, a colonia of a polígono).</summary>
    public string AreaLink(string area, string? sector = "") =>
        Report!.AreaLevel == "poligono" ? Link(poligono: area, colonia: null, sector: sector) : Link(colonia: area, sector: sector);
}
