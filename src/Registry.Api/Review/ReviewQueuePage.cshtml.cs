using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Registry.Api.Access;
using Registry.Review;

namespace Registry.Api.Review;

/// <summary>One row of the side-by-side comparison: what the record says, what the person's golden record says, and how the model weighed it.</summary>
public sealed record ComparedField(string Field, string? Record, string? Candidate, string Level, double Weight);

/// <summary>
/// The stewards' review queue: one task per uncertain pair of persons, highest priority first, 50 a
/// page; each side by side with the per-field evidence of its best record, and the decision (same
/// person / different persons) with a reason that auditors will read.
/// </summary>
[Authorize(Policy = AccessPolicies.ReviewRead)]
public sealed class ReviewQueuePageModel(ReviewQueries queries, Stewardship stewardship, AccessLog log, IAuthorizationService authorization) : PageModel
{
    public ReviewPage? Result { get; private set; }
    public bool CanDecide { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    /// <summary>Pages of the open queue (at least 1, so an empty queue reads "page 1 of 1").</summary>
    public long Pages => Result is { } r ? Math.Max(1, (r.Total + r.PageSize - 1) / r.PageSize) : 1;

    public IReadOnlyList<string> Feeds { get; private set; } = [];
    [BindProperty(SupportsGet = true, Name = "motivo")] public string? Reason { get; set; }
    [BindProperty(SupportsGet = true, Name = "fuente")] public string? Feed { get; set; }
    [BindProperty(SupportsGet = true, Name = "orden")] public string? Sort { get; set; }

    public async Task OnGetAsync(int? pagina, string? hecho, CancellationToken ct)
    {
        Message = hecho;
        await LoadAsync(pagina ?? 1, ct);
    }

    /// <summary>The queue's address with the current filters and one of them (or the page) changed.</summary>
    public string Link(int page = 1, string? reason = "", string? feed = "", string? sort = "")
    {
        var q = new List<string>();
        void Add(string name, string? value, string? current)
        {
            var v = value == "" ? current : value;
            if (!string.IsNullOrEmpty(v)) q.Add(name + "=" + Uri.EscapeDataString(v));
        }
        Add("motivo", reason, Reason);
        Add("fuente", feed, Feed);
        Add("orden", sort, Sort);
        if (page > 1) q.Add("pagina=" + page.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return "/revision" + (q.Count == 0 ? "" : "?" + string.Join('&', q));
    }

    public async Task<IActionResult> OnPostAsync(Guid id, string decision, string? reason, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, AccessPolicies.Stewardship)).Succeeded) return Forbid();
        try
        {
            var kind = decision == "match" ? ReviewDecision.Match : decision == "non-match" ? ReviewDecision.NonMatch
                : throw new ArgumentException("decision must be match or non-match");
            await stewardship.DecideAsync(id, kind, RegistryUser.From(User).Name, reason ?? "", ct);
            return RedirectToPage(new { hecho = kind == ReviewDecision.Match ? "match" : "non-match" });
        }
        catch (Exception e) when (e is ArgumentException or StewardshipException or KeyNotFoundException)
        {
            Error = e.Message;
            await LoadAsync(1, ct);
            return Page();
        }
    }

    private async Task LoadAsync(int page, CancellationToken ct)
    {
        CanDecide = (await authorization.AuthorizeAsync(User, AccessPolicies.Stewardship)).Succeeded;
        if (Sort is not null && !ReviewQueries.Sorts.Contains(Sort)) Sort = null;
        Reason = string.IsNullOrWhiteSpace(Reason) || Reason.Length > 100 ? null : Reason;
        Feed = string.IsNullOrWhiteSpace(Feed) || Feed.Length > 100 ? null : Feed;
        Result = await queries.ListAsync("open", page, ReviewQueries.DefaultPageSize, ct, Reason, Feed, Sort);
        Feeds = await queries.FeedsAsync("open", ct);
        await log.RecordAsync(HttpContext, RegistryUser.From(User), AccessKind.ReviewQueue, null,
            $"ui page={page}" + (Reason is null ? "" : $" reason={Reason}") + (Feed is null ? "" : $" feed={Feed}"), ct: ct);
    }

    /// <summary>Spanish labels of the compared fields (the UI text table translates them back for English).</summary>
    public static string FieldLabel(string field) => field switch
    {
        "curp" => "CURP",
        "given_names" => "Nombre(s)",
        "paternal_surname" => "Primer apellido",
        "maternal_surname" => "Segundo apellido",
        "birth_date" => "Fecha de nacimiento",
        "sex" => "Sexo",
        "postal_code" => "Código postal",
        "municipality" => "Municipio",
        "phone" => "Teléfono",
        _ => field,
    };

    /// <summary>The comparison table of a task, field by field, in the model's order.</summary>
    public static IReadOnlyList<ComparedField> Compare(ReviewTaskView task)
    {
        ArgumentNullException.ThrowIfNull(task);
        string? Data(string name) => task.Record.Data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var c = task.Candidate;
        var sides = new (string Field, string? Record, string? Candidate)[]
        {
            ("curp", Data("Curp"), c.Curp),
            ("given_names", Data("GivenNames"), c.GivenNames),
            ("paternal_surname", Data("PaternalSurname"), c.PaternalSurname),
            ("maternal_surname", Data("MaternalSurname"), c.MaternalSurname),
            ("birth_date", Data("BirthDate"), c.BirthDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            ("sex", Data("Sex"), c.Sex),
            ("postal_code", Data("PostalCode"), c.PostalCode),
            ("municipality", Data("Municipality"), c.Municipality),
            ("phone", Data("Phone"), c.Phone),
        };
        return [.. sides.Select(s =>
        {
            var evidence = task.Evidence.TryGetProperty(s.Field, out var e) ? e : default;
            return new ComparedField(s.Field, s.Record, s.Candidate,
                evidence.ValueKind == JsonValueKind.Object ? evidence.GetProperty("level").GetString() ?? "" : "",
                evidence.ValueKind == JsonValueKind.Object ? evidence.GetProperty("weight").GetDouble() : 0);
        })];
    }
}
