using Npgsql;
using Registry.Api.Access;
using Registry.Api.Persons;
using Registry.Matching;
using static Hl7.Fhir.Model.ExtensionExtensions;
using R4 = Hl7.Fhir.Model;

namespace Registry.Api.Fhir;

/// <summary>
/// FHIR R4 for health systems, under <c>/fhir</c>: <c>POST Patient/$match</c> (a Parameters resource with a Patient in
/// <c>resource</c>, optional <c>onlyCertainMatches</c> and <c>count</c>) answers a searchset Bundle of the persons the
/// registry's matcher finds (<see cref="PatientMatcher"/>), each with <c>search.score</c> and the match-grade
/// extension; <c>GET Patient/{id}</c> reads a registry person as a Patient (<see cref="PatientMapping"/>). Both are reads
/// of persons: the same policy as <c>/api/persons/{id}</c> (case managers in their territory, stewards, auditors, admins),
/// a declared purpose (X-Purpose), sensitive sources hidden from readers without the grant, and an access-log entry
/// (kinds <c>fhir-match</c> with the returned ids, <c>fhir-patient</c>); refusals are logged as <c>denied</c> like
/// every other. Every error is an OperationOutcome.
/// </summary>
public static class FhirEndpoints
{
    public const string MatchGradeExtension = "http://hl7.org/fhir/StructureDefinition/match-grade";
    public const int DefaultCount = 10;
    public const int MaxCount = 100;

    public static IServiceCollection AddFhir(this IServiceCollection services) =>
        // The matcher's own candidate index: the resolver's structure, loaded by this host at the first $match.
        services.AddSingleton(sp => new PatientMatcher(sp.GetRequiredService<NpgsqlDataSource>(), new CandidateIndex(),
            new MatchModelStore(sp.GetRequiredService<NpgsqlDataSource>()), sp.GetRequiredService<TerritoryScope>()));

    public static void MapFhir(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup("/fhir").WithTags("FHIR").RequireAuthorization(AccessPolicies.RegistryRead).AddEndpointFilter<FhirRequestFilter>();
        // A $match is a search: it counts against the user's search budget (429 with an OperationOutcome over it).
        fhir.MapPost("/Patient/$match", MatchAsync).WithName("FhirPatientMatch").RequireRateLimiting(Search.SearchLimits.RateLimitPolicy)
            // No Accepts(...) metadata: routing would refuse other content types with an empty 415 before the handler, which
            // answers them with an OperationOutcome.
            .WithDescription($"Body: a FHIR R4 Parameters resource ({FhirJson.MediaType}) with a Patient in 'resource', optional 'onlyCertainMatches' " +
                             "(valueBoolean) and 'count' (valueInteger, at most 100). Answer: a searchset Bundle, each entry with search.score (0–1) and " +
                             "the match-grade extension.")
            .Produces(StatusCodes.Status200OK, contentType: FhirJson.MediaType)
            .WithSummary("FHIR R4 Patient/$match: the registry persons a Patient may be, graded certain / probable / possible by the registry's matcher");
        fhir.MapGet("/Patient/{id}", ReadAsync).WithName("FhirPatientRead")
            .Produces(StatusCodes.Status200OK, contentType: FhirJson.MediaType)
            .WithSummary("FHIR R4 Patient read: a registry person (CURP, names, birth date, sex, phone, address) as the reader may see it");
    }

    private static async Task<IResult> MatchAsync(HttpContext http, PatientMatcher matcher, AccessLog log, CancellationToken ct)
    {
        var contentType = http.Request.ContentType;
        if (contentType is not null && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            return FhirJson.Outcome(StatusCodes.Status415UnsupportedMediaType, R4.OperationOutcome.IssueType.NotSupported,
                $"Send the Parameters resource as {FhirJson.MediaType}.");
        var (text, tooLarge) = await ReadBodyAsync(http.Request, ct);
        if (tooLarge)
            return FhirJson.Outcome(StatusCodes.Status413PayloadTooLarge, R4.OperationOutcome.IssueType.TooCostly,
                $"The body is larger than {FhirJson.MaxBodyBytes} bytes.");
        if (string.IsNullOrWhiteSpace(text)) return Invalid("The body is empty: send a Parameters resource with a Patient in 'resource'.");
        var (resource, error) = FhirJson.Parse(text);
        if (resource is null) return Invalid(error!);

        R4.Patient? patient;
        var onlyCertain = false;
        var count = DefaultCount;
        switch (resource)
        {
            case R4.Parameters parameters:
                patient = parameters.Parameter.FirstOrDefault(p => p.Name == "resource")?.Resource as R4.Patient;
                if (patient is null) return Invalid("The Parameters resource has no 'resource' parameter holding a Patient.");
                if (parameters.Parameter.FirstOrDefault(p => p.Name == "onlyCertainMatches") is { } only)
                {
                    if (only.Value is not R4.FhirBoolean { Value: { } flag }) return Invalid("'onlyCertainMatches' is a valueBoolean.");
                    onlyCertain = flag;
                }
                if (parameters.Parameter.FirstOrDefault(p => p.Name == "count") is { } c)
                {
                    if (c.Value is not R4.Integer { Value: > 0 and { } n }) return Invalid("'count' is a valueInteger of at least 1.");
                    count = Math.Min(n, MaxCount);
                }
                break;
            case R4.Patient bare:
                patient = bare;
                break;
            default:
                return Invalid($"Patient/$match expects a Parameters resource (or a Patient), not {resource.TypeName}.");
        }
        if (!PatientMapping.HasSomethingToMatch(patient))
            return Invalid($"The Patient has neither a name nor a CURP (identifier system {PatientMapping.CurpSystem}): nothing to match on.");

        var user = RegistryUser.From(http.User);
        var (candidates, golden) = await matcher.MatchAsync(PatientMapping.ToSourceRow(patient), user, ct);
        IEnumerable<PatientCandidate> shown = candidates;
        if (onlyCertain)
        {
            // The operation's rule: with onlyCertainMatches, several certain matches are no answer at all.
            var certain = candidates.Where(c => c.Grade == MatchGrade.Certain).ToList();
            shown = certain.Count == 1 ? certain : [];
        }
        var returned = shown.Take(count).ToList();

        var bundle = new R4.Bundle
        {
            Id = Guid.NewGuid().ToString(),
            Type = R4.Bundle.BundleType.Searchset,
            Total = returned.Count,
            Meta = new R4.Meta { LastUpdated = DateTimeOffset.UtcNow },
            Link = [new R4.Bundle.LinkComponent { Relation = "self", Url = BaseUrl(http) + "/Patient/$match" }],
        };
        foreach (var c in returned)
        {
            var search = new R4.Bundle.SearchComponent { Mode = R4.Bundle.SearchEntryMode.Match, Score = (decimal)c.Score };
            search.AddExtension(MatchGradeExtension, new R4.Code(GradeCode(c.Grade)));
            bundle.Entry.Add(new R4.Bundle.EntryComponent
            {
                FullUrl = $"{BaseUrl(http)}/Patient/{c.PersonId}",
                Resource = golden.TryGetValue(c.PersonId, out var g) ? PatientMapping.ToPatient(g) : new R4.Patient { Id = c.PersonId.ToString() },
                Search = search,
            });
        }
        var grades = string.Join(", ", returned.GroupBy(c => c.Grade).OrderBy(g => g.Key).Select(g => $"{GradeCode(g.Key)} {g.Count()}"));
        await log.RecordAsync(http, user, AccessKind.FhirMatch, null,
            $"FHIR Patient/$match: {returned.Count} returned{(grades.Length == 0 ? "" : " (" + grades + ")")}{(onlyCertain ? ", onlyCertainMatches" : "")}",
            returned: returned.Select(c => c.PersonId), ct: ct);
        return FhirJson.Result(bundle);
    }

    private static async Task<IResult> ReadAsync(string id, HttpContext http, PersonQueries persons, TerritoryScope scope, NpgsqlDataSource db,
        AccessLog log, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var personId)) return NotFound(id);
        var user = RegistryUser.From(http.User);
        // A merged person's id stays valid, as in /api/persons/{id}: it redirects to the person it was merged into.
        if (await persons.SurvivorOfAsync(personId, ct) is { } survivor) return Results.Redirect($"{BaseUrl(http)}/Patient/{survivor}", permanent: true);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM persons WHERE id = @id)", connection))
        {
            exists.Parameters.AddWithValue("id", personId);
            if (await exists.ExecuteScalarAsync(ct) is not true) return NotFound(id);
        }
        if (!await scope.PersonVisibleAsync(user, personId, ct))
            return FhirJson.Outcome(StatusCodes.Status403Forbidden, R4.OperationOutcome.IssueType.Forbidden, "Outside your municipalities.");
        var golden = (await SensitiveSources.GoldenAsync(connection, [personId], user, ct))[personId];
        await log.RecordAsync(http, user, AccessKind.FhirPatient, personId, "FHIR Patient read", ct: ct);
        return FhirJson.Result(PatientMapping.ToPatient(golden));
    }

    public static string GradeCode(MatchGrade grade) => grade switch
    {
        MatchGrade.Certain => "certain",
        MatchGrade.Probable => "probable",
        MatchGrade.Possible => "possible",
        _ => throw new ArgumentOutOfRangeException(nameof(grade)),
    };

    private static IResult Invalid(string diagnostics) =>
        FhirJson.Outcome(StatusCodes.Status400BadRequest, R4.OperationOutcome.IssueType.Invalid, diagnostics);

    private static IResult NotFound(string id) =>
        FhirJson.Outcome(StatusCodes.Status404NotFound, R4.OperationOutcome.IssueType.NotFound, $"Patient/{id} is not known.");

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/fhir";

    /// <summary>The body as text, read up to <see cref="FhirJson.MaxBodyBytes"/> (more is refused, not read).</summary>
    private static async Task<(string Text, bool TooLarge)> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > FhirJson.MaxBodyBytes) return ("", true);
        var buffer = new byte[FhirJson.MaxBodyBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(total), ct)) > 0) total += read;
        return total > FhirJson.MaxBodyBytes ? ("", true) : (System.Text.Encoding.UTF8.GetString(buffer, 0, total), false);
    }
}

/// <summary>
/// What every FHIR request passes before its handler, written once: a declared purpose, as for every read of persons
/// (X-Purpose; the API's rule, answered here as an OperationOutcome, nothing read and nothing logged without one).
/// </summary>
public sealed class FhirRequestFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var purpose = AccessLog.PurposeOf(context.HttpContext);
        if (purpose is null)
            return FhirJson.Outcome(StatusCodes.Status400BadRequest, Hl7.Fhir.Model.OperationOutcome.IssueType.Required,
                $"A purpose is required to read persons: send the {AccessLog.PurposeHeader} header (e.g. \"{AccessLog.PurposeHeader}: referencia clinica\", " +
                $"at most {AccessLog.MaxPurposeLength} characters). Nothing was read.");
        if (purpose.Length > AccessLog.MaxPurposeLength)
            return FhirJson.Outcome(StatusCodes.Status400BadRequest, Hl7.Fhir.Model.OperationOutcome.IssueType.Invalid,
                $"{AccessLog.PurposeHeader} is at most {AccessLog.MaxPurposeLength} characters.");
        return await next(context);
    }
}
