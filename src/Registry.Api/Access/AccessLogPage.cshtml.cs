using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Registry.Api.Access;

/// <summary>The auditors' view of the access log: who read what, when and why; filtered and paged.</summary>
[Authorize(Policy = AccessPolicies.AccessLog)]
public sealed class AccessLogPageModel(AccessLog log) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Quien { get; set; }
    [BindProperty(SupportsGet = true)] public string? Tipo { get; set; }
    [BindProperty(SupportsGet = true)] public string? Objetivo { get; set; }
    [BindProperty(SupportsGet = true)] public int Pagina { get; set; } = 1;

    public AccessLogPage? Result { get; private set; }

    /// <summary>What an entry's kind means, for the auditor (Spanish; the page translates).</summary>
    public static string KindLabel(string kind) => kind switch
    {
        AccessKind.Person => "Persona",
        AccessKind.Household => "Hogar",
        AccessKind.LineagePerson or AccessKind.LineageHousehold or AccessKind.LineageServiceEvent => "Linaje (exportación PROV)",
        AccessKind.Search => "Búsqueda",
        AccessKind.ReviewQueue => "Cola de revisión",
        AccessKind.ReviewTask => "Tarea de revisión",
        AccessKind.IdentityEvents => "Historial de identidad",
        AccessKind.Denied => "Intento denegado",
        AccessKind.RejectedRowsCsv => "Descarga CSV de filas rechazadas",
        AccessKind.RowWarningsCsv => "Descarga CSV de avisos de calidad",
        AccessKind.MatchModels => "Modelo de coincidencia",
        AccessKind.MatchModelPromotion => "Modelo de coincidencia puesto en vigor",
        AccessKind.FhirPatient => "FHIR: lectura de paciente",
        AccessKind.FhirMatch => "FHIR: búsqueda de coincidencias ($match)",
        _ => kind,
    };

    public async Task OnGetAsync(CancellationToken ct)
    {
        var kind = AccessLog.Kinds.Contains(Tipo) ? Tipo : null;
        Guid? target = Guid.TryParse(Objetivo, out var g) ? g : null;
        var subject = string.IsNullOrWhiteSpace(Quien) ? null : Quien.Trim()[..Math.Min(Quien.Trim().Length, 200)];
        Result = await log.QueryAsync(new AccessLog.Filter(subject, kind, target, null, null, Math.Clamp(Pagina, 1, 100_000), 50), ct);
    }
}
