using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Registry.Api.Access;
using Registry.Matching;
using Registry.Storage;

namespace Registry.Api.Models;

/// <summary>One bar of the weights chart: a field's level and its weight in bits, placed on the SVG.</summary>
public sealed record WeightBar(string Field, string Level, double Weight, double X, double Y, double Width, bool Changed);

/// <summary>
/// The matching model page for stewards and admins: the versions with their status, and for one
/// version its per-field match weights as a server-rendered SVG chart, thresholds, the precision and
/// recall estimated from stewards' decisions, and what changed since the version before. No
/// personal data. Admins may put a shadow model in force from here (with a reason).
/// </summary>
[Authorize(Policy = AccessPolicies.Models)]
public sealed class ModelPageModel(ModelQueries queries, AccessLog log, IAuthorizationService authorization,
    [FromKeyedServices(RegistryStorage.StewardshipDataSource)] NpgsqlDataSource stewardship) : PageModel
{
    public const double BarHeight = 14, LabelWidth = 330, HalfWidth = 190, Scale = HalfWidth / 20.0;

    public IReadOnlyList<ModelSummary> Versions { get; private set; } = [];
    public ModelView? Model { get; private set; }
    public bool CanPromote { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? version, string? hecho, CancellationToken ct)
    {
        Message = hecho;
        return await LoadAsync(version, ct);
    }

    public async Task<IActionResult> OnPostAsync(string version, string? reason, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, AccessPolicies.Admin)).Succeeded) return Forbid();
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 2000)
        {
            Error = "Escriba el motivo: lo leerán los auditores.";
            return await LoadAsync(version, ct);
        }
        var outcome = await ModelEndpoints.PromoteAsync(stewardship, log, HttpContext, RegistryUser.From(User), version, reason.Trim(), ct);
        if (outcome == PromotionOutcome.NotFound) return NotFound();
        return RedirectToPage(new { version, hecho = outcome == PromotionOutcome.Promoted ? "promoted" : "already" });
    }

    private async Task<IActionResult> LoadAsync(string? version, CancellationToken ct)
    {
        CanPromote = (await authorization.AuthorizeAsync(User, AccessPolicies.Admin)).Succeeded;
        Versions = await queries.ListAsync(ct);
        var shown = version ?? Versions.FirstOrDefault(v => v.Status == "active")?.Version ?? MatchModel.Default.Version;
        Model = await queries.GetAsync(shown, ct);
        if (Model is null) return NotFound();
        await log.RecordAsync(HttpContext, RegistryUser.From(User), AccessKind.MatchModels, null, $"ui version={shown}", ct: ct);
        return Page();
    }

    /// <summary>The chart's bars, one row per level, fields one after another; weights clipped to ±20 bits on the drawing (the number shows the real value).</summary>
    public IReadOnlyList<WeightBar> Bars()
    {
        var bars = new List<WeightBar>();
        var changed = Model!.Changes.Select(c => (c.Field, c.Level)).ToHashSet();
        var y = 0.0;
        foreach (var field in Model.Fields)
        {
            foreach (var level in field.Levels)
            {
                var w = Math.Clamp(level.Weight, -20, 20) * Scale;
                bars.Add(new WeightBar(field.Field, level.Level, level.Weight, w >= 0 ? LabelWidth + HalfWidth : LabelWidth + HalfWidth + w, y, Math.Abs(w),
                    changed.Contains((field.Field, level.Level))));
                y += BarHeight + 2;
            }
            y += 6;
        }
        return bars;
    }

    public static string N(double value, string format = "F2") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string StatusLabel(string status) => status switch
    {
        "active" => "En vigor",
        "shadow" => "Sombra (no decide)",
        "retired" => "Retirado",
        ModelQueries.StartingValues => "Valores iniciales",
        _ => status,
    };
}
