using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Npgsql;
using Registry.Api.Access;
using Registry.Review;

namespace Registry.Api.Review;

public sealed record ReviewSide(
    Guid SourceRecordId, Guid PersonId, string AgencyCode, string FeedCode, string FileName, string FileSha256, int RowNumber, JsonElement Data);

public sealed record CandidatePerson(
    Guid PersonId, string? Curp, string? GivenNames, string? PaternalSurname, string? MaternalSurname, string? Sex, DateOnly? BirthDate, int SourceRecords,
    string? Phone = null, string? PostalCode = null, string? Municipality = null);

/// <summary>
/// A review task: a pair of persons (<paramref name="PersonA"/>, <paramref name="PersonB"/>), shown by its best evidence
/// (<paramref name="Record"/> beside <paramref name="Candidate"/>); <paramref name="Records"/> records asked about the pair.
/// <paramref name="Priority"/> orders the open queue (score band, household members, sensitive sectors);
/// <paramref name="Settlement"/> says what settled it when the machine did. <paramref name="Evidence"/>: the best record's per-field evidence.
/// </summary>
public sealed record ReviewTaskView(
    Guid Id, string Status, double Score, string Reason, string ModelVersion, DateTime CreatedAt, JsonElement Evidence,
    ReviewSide Record, CandidatePerson Candidate, string? DecidedBy, DateTime? DecidedAt, string? DecisionReason,
    Guid? PersonA = null, Guid? PersonB = null, int Records = 1, double Priority = 0, int HouseholdMembers = 0, bool Sensitive = false,
    string? Settlement = null, Guid? FoldedInto = null, IReadOnlyList<ReviewTaskRecord>? AskedBy = null);

/// <summary>One record that asked about a task's pair: its own score, reason and model (listed on <c>GET /api/review/tasks/{id}</c>).</summary>
public sealed record ReviewTaskRecord(Guid SourceRecordId, Guid PersonId, string AgencyCode, string FileName, int RowNumber, double Score, string Reason,
    string ModelVersion, DateTime CreatedAt);

public sealed record ReviewPage(IReadOnlyList<ReviewTaskView> Items, int Page, int PageSize, long Total)
{
    /// <summary>Tasks of the status (and feed, when filtered) per reason, most first — whatever the reason filter.</summary>
    public IReadOnlyList<ReasonCount> ByReason { get; init; } = [];
    public string? Reason { get; init; }
    public string? Feed { get; init; }
    public string Sort { get; init; } = "priority";
}

public sealed record ReasonCount(string Reason, long Count);

public sealed record DecisionRequest(string Decision, string Reason);
public sealed record MergeRequest(Guid OtherPersonId, string Reason);
public sealed record SplitRequest(IReadOnlyList<Guid> SourceRecordIds, string Reason);
public sealed record SplitResult(Guid Id, Guid NewId);
public sealed record HouseholdMergeRequest(Guid OtherHouseholdId, string Reason);
public sealed record HouseholdSplitRequest(IReadOnlyList<Guid> PersonIds, string Reason);

public sealed record IdentityEventView(
    long Id, string Kind, Guid PersonId, Guid? OtherPersonId, Guid[] SourceRecordIds, Guid? BridgingRecord, double? Score,
    string? ModelVersion, string DecidedBy, string Reason, Guid? ReviewTaskId, DateTime At);

/// <summary>
/// Stewards: the review queue (both sides with the per-field evidence), decisions, manual merge
/// and split. The work itself is in <see cref="Stewardship"/> (src/Registry/Review).
/// </summary>
public static class ReviewEndpoints
{
    public static void MapReview(this RouteGroupBuilder api)
    {
        var read = api.MapGroup("").RequireAuthorization(AccessPolicies.ReviewRead).WithTags("Review");
        read.MapGet("/review/tasks", List).WithName("ListReviewTasks")
            .WithSummary("Review queue: one task per uncertain pair of persons, paged (pageSize 50 by default, at most 200); sort=priority " +
                         "(default), score or age; filter by reason (code) and feed; byReason counts the tasks per reason");
        read.MapGet("/review/tasks/{id:guid}", Get).WithName("GetReviewTask");
        var act = api.MapGroup("").RequireAuthorization(AccessPolicies.Stewardship).WithTags("Review");
        act.MapPost("/review/tasks/{id:guid}/decision", Decide).WithName("DecideReviewTask")
            .WithSummary("Steward decision: \"match\" merges the record's person with the candidate, \"non-match\" keeps them apart for good");
        act.MapPost("/persons/{id:guid}/merge", Merge).WithName("MergePersons").WithSummary("Merge another person into this one (with a reason)");
        act.MapPost("/persons/{id:guid}/split", Split).WithName("SplitPerson").WithSummary("Move some source records of a person to a new person (with a reason)");
        act.MapPost("/households/{id:guid}/merge", MergeHouseholds).WithName("MergeHouseholds").WithSummary("Merge another household into this one (with a reason)");
        act.MapPost("/households/{id:guid}/split", SplitHousehold).WithName("SplitHousehold").WithSummary("Move some members to a new household (with a reason)");
        read.MapGet("/persons/{id:guid}/identity-events", Events).WithName("PersonIdentityEvents").WithSummary("Merge/split history of a person (append-only)");
    }

    private static async Task<IResult> List(ReviewQueries queries, AccessLog log, HttpContext http, string? status, int? page, int? pageSize,
        string? reason, string? feed, string? sort, CancellationToken ct)
    {
        if (AccessLog.CheckPurpose(http) is { } badPurpose) return badPurpose;
        var st = status ?? "open";
        if (st is not ("open" or "match" or "non-match" or "settled" or "folded"))
            return Results.Problem("status must be open, match, non-match, settled or folded", statusCode: 400);
        if (sort is not null && !ReviewQueries.Sorts.Contains(sort))
            return Results.Problem($"sort is one of {string.Join(", ", ReviewQueries.Sorts)}", statusCode: 400);
        if ((reason?.Length ?? 0) > 100 || (feed?.Length ?? 0) > 100) return Results.Problem("reason and feed are at most 100 characters", statusCode: 400);
        var result = await queries.ListAsync(st, page ?? 1, pageSize ?? ReviewQueries.DefaultPageSize, ct,
            string.IsNullOrWhiteSpace(reason) ? null : reason, string.IsNullOrWhiteSpace(feed) ? null : feed, sort);
        await log.RecordAsync(http, RegistryUser.From(http.User), AccessKind.ReviewQueue, null,
            $"status={st} page={result.Page}" + (reason is null ? "" : $" reason={reason}") + (feed is null ? "" : $" feed={feed}"), ct: ct);
        return Results.Ok(result);
    }

    private static async Task<IResult> Get(ReviewQueries queries, AccessLog log, HttpContext http, Guid id, CancellationToken ct)
    {
        if (AccessLog.CheckPurpose(http) is { } badPurpose) return badPurpose;
        var task = await queries.GetAsync(id, ct);
        if (task is null) return Results.NotFound();
        await log.RecordAsync(http, RegistryUser.From(http.User), AccessKind.ReviewTask, id, ct: ct);
        return Results.Ok(task);
    }

    private static Task<IResult> Decide(Stewardship stewardship, ClaimsPrincipal user, HttpRequest request, Guid id, DecisionRequest body, CancellationToken ct) =>
        Run(async () =>
        {
            var decision = body.Decision switch
            {
                "match" => ReviewDecision.Match,
                "non-match" => ReviewDecision.NonMatch,
                _ => throw new ArgumentException("decision must be \"match\" or \"non-match\""),
            };
            await stewardship.DecideAsync(id, decision, Steward(user, request), body.Reason, ct);
            return Results.NoContent();
        });

    private static Task<IResult> Merge(Stewardship stewardship, ClaimsPrincipal user, HttpRequest request, Guid id, MergeRequest body, CancellationToken ct) =>
        Run(async () =>
        {
            await stewardship.MergeAsync(id, body.OtherPersonId, Steward(user, request), body.Reason, ct);
            return Results.NoContent();
        });

    private static Task<IResult> Split(Stewardship stewardship, ClaimsPrincipal user, HttpRequest request, Guid id, SplitRequest body, CancellationToken ct) =>
        Run(async () =>
        {
            var created = await stewardship.SplitAsync(id, body.SourceRecordIds ?? [], Steward(user, request), body.Reason, ct);
            return Results.Created($"/api/persons/{created}", new SplitResult(id, created));
        });

    private static Task<IResult> MergeHouseholds(Stewardship stewardship, ClaimsPrincipal user, HttpRequest request, Guid id, HouseholdMergeRequest body, CancellationToken ct) =>
        Run(async () =>
        {
            await stewardship.MergeHouseholdsAsync(id, body.OtherHouseholdId, Steward(user, request), body.Reason, ct);
            return Results.NoContent();
        });

    private static Task<IResult> SplitHousehold(Stewardship stewardship, ClaimsPrincipal user, HttpRequest request, Guid id, HouseholdSplitRequest body, CancellationToken ct) =>
        Run(async () =>
        {
            var created = await stewardship.SplitHouseholdAsync(id, body.PersonIds ?? [], Steward(user, request), body.Reason, ct);
            return Results.Created($"/api/households/{created}", new SplitResult(id, created));
        });

    private static async Task<IResult> Events(ReviewQueries queries, AccessLog log, HttpContext http, Guid id, CancellationToken ct)
    {
        if (AccessLog.CheckPurpose(http) is { } badPurpose) return badPurpose;
        await log.RecordAsync(http, RegistryUser.From(http.User), AccessKind.IdentityEvents, id, ct: ct);
        return Results.Ok(await queries.IdentityEventsAsync(id, ct));
    }


    /// <summary>The acting steward: the signed-in user (recorded with every decision).</summary>
    private static string Steward(ClaimsPrincipal user, HttpRequest request) => RegistryUser.From(user).Name;

    private static async Task<IResult> Run(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (KeyNotFoundException e)
        {
            return Results.Problem(e.Message, statusCode: 404);
        }
        catch (StewardshipException e)
        {
            return Results.Problem(e.Message, statusCode: 409);
        }
        catch (ArgumentException e)
        {
            return Results.Problem(e.Message, statusCode: 400);
        }
    }

}
