using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Registry.Api.Access;
using Registry.Api.Search;

namespace Registry.Api.Dci;

/// <summary>
/// The DCI (SPDCI) Social Registry API v1.0.0 under <c>/dci</c>, for partner systems (programmes' MIS, other registries):
/// <c>registry/search</c> and <c>registry/sync/search</c> (idtype-value, expression, predicate), <c>registry/subscribe</c>
/// and <c>registry/unsubscribe</c> (notify callbacks driven by the domain events, <see cref="DciNotifier"/>),
/// <c>registry/txn/status</c> and <c>registry/sync/txn/status</c>. Partners authenticate with the API's bearer tokens and
/// are readers like any other (policy <see cref="AccessPolicies.RegistryRead"/>: case managers in their territory,
/// stewards, auditors, admins): what a DCI answer holds is what <see cref="DciRegistryReader"/> reads through the registry's
/// own search and sensitive-source rules, and every search is in the access log (<c>dci-search</c>). Async requests are
/// answered at once; their callbacks are queued in the request's transaction and posted by <see cref="DciCallbackSender"/>.
/// </summary>
public static class DciEndpoints
{
    public const long MaxBodyBytes = 256 * 1024;

    public static IServiceCollection AddDci(this IServiceCollection services)
    {
        services.AddOptions<DciOptions>().BindConfiguration(DciOptions.Section);
        services.AddSingleton<DciSignatures>();
        services.AddSingleton<DciExchanges>();
        services.AddSingleton<DciRegistryReader>();
        services.AddSingleton<DciNotifier>();
        services.AddSingleton<DciServices>();
        services.AddHttpClient(DciCallbackSender.HttpClientName).ConfigureHttpClient((sp, c) =>
            c.Timeout = sp.GetRequiredService<IOptions<DciOptions>>().Value.CallbackTimeout);
        services.AddHostedService<DciCallbackSender>();
        return services;
    }

    public static void MapDci(this IEndpointRouteBuilder app)
    {
        var dci = app.MapGroup("/dci/registry").WithTags("DCI Social Registry").RequireAuthorization(AccessPolicies.RegistryRead)
            .AddEndpointFilter<DciFaultFilter>();
        dci.MapPost("/search", (HttpContext http, [Microsoft.AspNetCore.Mvc.FromServices] DciServices s, CancellationToken ct) => SearchAsync(http, s, sync: false, ct))
            .RequireRateLimiting(SearchLimits.RateLimitPolicy).WithName("DciSearch")
            .WithSummary("DCI async search: ACK now, results posted to sender_uri's on-search (NACK without one: ask txn/status)");
        dci.MapPost("/sync/search", (HttpContext http, [Microsoft.AspNetCore.Mvc.FromServices] DciServices s, CancellationToken ct) => SearchAsync(http, s, sync: true, ct))
            .RequireRateLimiting(SearchLimits.RateLimitPolicy).WithName("DciSyncSearch")
            .WithSummary("DCI sync search: idtype-value (UIN, CURP, NIN, PERSON_ID, HOUSEHOLD_ID, an agency code), expression, predicate");
        dci.MapPost("/subscribe", SubscribeAsync).WithName("DciSubscribe")
            .WithSummary("DCI subscribe: notify callbacks when a person an identifier names is registered or updated");
        dci.MapPost("/unsubscribe", UnsubscribeAsync).WithName("DciUnsubscribe").WithSummary("DCI unsubscribe by subscription code");
        dci.MapPost("/txn/status", (HttpContext http, [Microsoft.AspNetCore.Mvc.FromServices] DciServices s, CancellationToken ct) => TxnStatusAsync(http, s, sync: false, ct))
            .WithName("DciTxnStatus").WithSummary("DCI async transaction status (answer posted to txn/on-status)");
        dci.MapPost("/sync/txn/status", (HttpContext http, [Microsoft.AspNetCore.Mvc.FromServices] DciServices s, CancellationToken ct) => TxnStatusAsync(http, s, sync: true, ct))
            .WithName("DciSyncTxnStatus").WithSummary("DCI sync transaction status: what became of one of your transactions");

        // IBR v1.0.0 (beneficiary view): the same searches answering Beneficiary records — a person's programmes and services
        // across agencies (DciRegistryReader.BeneficiariesAsync). Enrolment updates pushed by programmes are not taken here: a
        // programme sends its roster as a feed, like every agency (docs/api.md).
        var ibr = app.MapGroup("/dci/ibr/registry").WithTags("DCI Integrated Beneficiary Registry").RequireAuthorization(AccessPolicies.RegistryRead)
            .AddEndpointFilter<DciFaultFilter>();
        ibr.MapPost("/search", (HttpContext http, [Microsoft.AspNetCore.Mvc.FromServices] DciServices s, CancellationToken ct) =>
                SearchAsync(http, s, sync: false, ct, DciRegistryKind.Beneficiaries))
            .RequireRateLimiting(SearchLimits.RateLimitPolicy).WithName("DciIbrSearch")
            .WithSummary("DCI IBR async search: a person's enrolments and services across programmes, posted to sender_uri's on-search");
        ibr.MapPost("/sync/search", (HttpContext http, [Microsoft.AspNetCore.Mvc.FromServices] DciServices s, CancellationToken ct) =>
                SearchAsync(http, s, sync: true, ct, DciRegistryKind.Beneficiaries))
            .RequireRateLimiting(SearchLimits.RateLimitPolicy).WithName("DciIbrSyncSearch")
            .WithSummary("DCI IBR sync search: Beneficiary records (programmes, enrolment dates and status, services) by the same queries as the Social Registry");
        ibr.MapPost("/txn/status", (HttpContext http, [Microsoft.AspNetCore.Mvc.FromServices] DciServices s, CancellationToken ct) => TxnStatusAsync(http, s, sync: false, ct))
            .WithName("DciIbrTxnStatus").WithSummary("DCI IBR async transaction status");
        ibr.MapPost("/sync/txn/status", (HttpContext http, [Microsoft.AspNetCore.Mvc.FromServices] DciServices s, CancellationToken ct) => TxnStatusAsync(http, s, sync: true, ct))
            .WithName("DciIbrSyncTxnStatus").WithSummary("DCI IBR sync transaction status");
    }

    /// <summary>The services every DCI endpoint uses, injected as one.</summary>
    public sealed class DciServices(DciSignatures signatures, IOptions<DciOptions> options, DciExchanges exchanges, DciRegistryReader reader, AccessLog log)
    {
        public DciSignatures Signatures { get; } = signatures;
        public DciOptions Options { get; } = options.Value;
        public DciExchanges Exchanges { get; } = exchanges;
        public DciRegistryReader Reader { get; } = reader;
        public AccessLog Log { get; } = log;
    }

    /// <summary>401 / 403 for DCI callers: the spec's HttpErrorResponse, never an empty body or a redirect to a sign-in page.</summary>
    public static Task WriteRefusalAsync(HttpContext context, bool challenged)
    {
        var status = challenged ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
        if (challenged) context.Response.Headers.WWWAuthenticate = "Bearer";
        var body = challenged
            ? DciEnvelope.HttpError(status, Dci.Errors.Unauthorized, "A bearer token is required: Authorization: Bearer <token from the registry's token endpoint>.")
            : DciEnvelope.HttpError(status, Dci.Errors.Forbidden,
                "Your credentials do not allow reading the registry (case managers, stewards, auditors and admins may; agencies read their own extracts).");
        return Results.Json(body, statusCode: status).ExecuteAsync(context);
    }

    private static async Task<(DciRequest? Request, IResult? Refusal)> ReadAsync(HttpContext http, DciServices s, string action, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxBodyBytes) return (null, Error(new DciError(Dci.Errors.Bad, $"The body is larger than {MaxBodyBytes} bytes.", 413)));
        if (http.Request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
            return (null, Error(new DciError(Dci.Errors.Bad, "Send the envelope as application/json.", 415)));
        JsonNode? body;
        byte[] raw;
        try
        {
            using var limited = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer, ct)) > 0)
            {
                if (limited.Length + read > MaxBodyBytes) return (null, Error(new DciError(Dci.Errors.Bad, $"The body is larger than {MaxBodyBytes} bytes.", 413)));
                limited.Write(buffer, 0, read);
            }
            raw = limited.ToArray();
            body = raw.Length == 0 ? null : JsonNode.Parse(raw);
        }
        catch (JsonException ex)
        {
            return (null, Error(new DciError(Dci.Errors.Bad, "The body is not JSON: " + ex.Message)));
        }
        var (request, error) = DciEnvelope.Read(body, raw, action, s.Signatures, s.Options);
        return error is not null ? (null, Error(error)) : (request, null);
    }

    private static IResult Error(DciError error) =>
        Results.Json(DciEnvelope.Ack("ERR", Dci.NewId(), error), statusCode: error.Status);

    private static DciError? TransactionProblem(DciRequest request) =>
        request.TransactionId is not { Length: > 0 and <= DciEnvelope.MaxIdLength }
            ? new DciError(Dci.Errors.Bad, "message.transaction_id is required, a string of at most 99 characters.")
            : null;

    /// <summary>The purpose recorded with a partner's reads: X-Purpose if sent, else the request's authorize/consent purpose, else who asked.</summary>
    private static string PurposeOf(HttpContext http, DciRequest request, JsonObject? criteria)
    {
        if (AccessLog.PurposeOf(http) is { } header) return header.Length > AccessLog.MaxPurposeLength ? header[..AccessLog.MaxPurposeLength] : header;
        foreach (var name in new[] { "authorize", "consent" })
            if (criteria?[name]?["purpose"] is JsonObject purpose && DciEnvelope.Text(purpose, "text") is { Length: > 0 } text)
                return text.Length > AccessLog.MaxPurposeLength ? text[..AccessLog.MaxPurposeLength] : text;
        return $"DCI {request.Action} from {request.SenderId}";
    }

    private static async Task<IResult> SearchAsync(HttpContext http, DciServices s, bool sync, CancellationToken ct,
        DciRegistryKind kind = DciRegistryKind.Social)
    {
        var (request, refusal) = await ReadAsync(http, s, Dci.Actions.Search, ct);
        if (request is null) return refusal!;
        if (TransactionProblem(request) is { } bad) return Error(bad);
        if (request.Message["search_request"] is not JsonArray items || items.Count == 0 || items.Count > s.Options.MaxBatch)
            return Error(new DciError(Dci.Errors.Bad, $"message.search_request is a list of 1 to {s.Options.MaxBatch} search requests."));
        if (items.Any(i => i is not JsonObject)) return Error(new DciError(Dci.Errors.Bad, "Each search_request is an object."));

        var user = RegistryUser.From(http.User);
        var correlationId = Dci.NewId();
        var responses = new JsonArray();
        foreach (var item in items.Cast<JsonObject>())
        {
            var outcome = await s.Reader.SearchAsync(item, user, ct, kind);
            responses.Add(outcome.Item);
            var queryType = DciEnvelope.Text(item["search_criteria"] as JsonObject, "query_type") ?? "?";
            var idType = queryType == "idtype-value" ? " " + (DciEnvelope.Text(item["search_criteria"]?["query"] as JsonObject, "type") ?? "?") : "";
            await s.Log.RecordAsync(http, user, AccessKind.DciSearch, null,
                $"DCI {(kind == DciRegistryKind.Beneficiaries ? "IBR " : "")}{(sync ? "sync " : "")}search from {request.SenderId}: {queryType}{idType}, {outcome.Item["status"]}, {outcome.Returned.Count} returned",
                PurposeOf(http, request, item["search_criteria"] as JsonObject), outcome.Returned, ct);
        }
        var message = new JsonObject
        {
            ["transaction_id"] = request.TransactionId,
            ["correlation_id"] = correlationId,
            ["search_response"] = responses,
        };
        var header = DciEnvelope.CallbackHeader(Dci.Actions.OnSearch, "succ", items.Count, items.Count, s.Options.RegistryId, request.SenderId);
        if (sync)
        {
            await s.Exchanges.RecordAsync(request, correlationId, user.Name, "succ", message, [], ct);
            return Results.Json(DciEnvelope.Envelope(header, message));
        }
        var callbacks = request.SenderUri is { } uri ? [new DciCallback(uri, Dci.Actions.OnSearch, DciEnvelope.Envelope(header, message))] : Array.Empty<DciCallback>();
        await s.Exchanges.RecordAsync(request, correlationId, user.Name, "succ", message, callbacks, ct);
        return Results.Json(DciEnvelope.Ack(callbacks.Length > 0 ? "ACK" : "NACK", correlationId), statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>Registry events a subscription may ask for (<c>reg_event_type</c>).</summary>
    public static readonly string[] EventTypes = [DciNotifier.Register, DciNotifier.Update, DciNotifier.NewHouseholdMember];

    private static async Task<IResult> SubscribeAsync(HttpContext http, [Microsoft.AspNetCore.Mvc.FromServices] DciServices s, CancellationToken ct)
    {
        var (request, refusal) = await ReadAsync(http, s, Dci.Actions.Subscribe, ct);
        if (request is null) return refusal!;
        if (TransactionProblem(request) is { } bad) return Error(bad);
        if (request.Message["subscribe_request"] is not JsonArray items || items.Count == 0 || items.Count > s.Options.MaxBatch || items.Any(i => i is not JsonObject))
            return Error(new DciError(Dci.Errors.Bad, $"message.subscribe_request is a list of 1 to {s.Options.MaxBatch} subscribe requests."));
        var user = RegistryUser.From(http.User);
        var correlationId = Dci.NewId();
        // Notifications go to the partner's notify endpoint beside its on-subscribe callback (…/registry/on-subscribe → …/registry/notify).
        var notifyUri = request.SenderUri is { } callback
            ? new Uri(callback, callback.AbsolutePath.EndsWith("/on-subscribe", StringComparison.Ordinal) ? "notify" : callback.AbsolutePath)
            : null;
        var responses = new JsonArray();
        foreach (var item in items.Cast<JsonObject>())
        {
            var referenceId = DciEnvelope.Text(item, "reference_id") ?? "";
            var criteria = item["subscribe_criteria"] as JsonObject;
            var eventType = DciEnvelope.Text(criteria, "reg_event_type");
            var filter = criteria?["filter"] as JsonObject;
            var recordType = DciEnvelope.Text(criteria, "notify_record_type") ?? Dci.RecordType;
            string? problem = null, code = null;
            if (referenceId.Length is 0 or > DciEnvelope.MaxIdLength) (problem, code) = ("reference_id is required (at most 99 characters).", "rjct.reference_id.invalid");
            else if (eventType is null || !EventTypes.Contains(eventType, StringComparer.Ordinal))
                (problem, code) = ($"reg_event_type is one of {string.Join(", ", EventTypes)}.", "rjct.notify_types.invalid");
            else if (filter is null || DciEnvelope.Text(filter, "type") is not { Length: > 0 } idType || filter["value"] is null)
                (problem, code) = ("filter is an idtype-value {\"type\": \"UIN|CURP|NIN|PERSON_ID|HOUSEHOLD_ID|<agency code>\", \"value\": \"…\"}: the persons to be notified of.",
                    "rjct.notify_details.invalid");
            else if ((await s.Reader.ByIdentifierAsync(idType, filter["value"]!.ToString(), user, ct)).Problem is { } idProblem)
                (problem, code) = (idProblem, "rjct.person_id.invalid");
            else if (notifyUri is null)
                (problem, code) = ("No address to notify: send header.sender_uri (your on-subscribe callback; notify goes beside it).", "rjct.notify_details.invalid");
            if (problem is not null)
            {
                responses.Add(new JsonObject
                {
                    ["reference_id"] = referenceId, ["timestamp"] = Dci.Now(), ["status"] = "rjct", ["status_reason_code"] = code, ["status_reason_message"] = problem,
                });
                continue;
            }
            var subscription = "sub-" + Dci.NewId();
            await s.Exchanges.CreateSubscriptionAsync(subscription, request.SenderId, user, eventType!, filter!, recordType, notifyUri, ct);
            responses.Add(new JsonObject
            {
                ["reference_id"] = referenceId,
                ["timestamp"] = Dci.Now(),
                ["status"] = "succ",
                ["subscriptions"] = new JsonArray(new JsonObject
                {
                    ["code"] = subscription, ["status"] = "subscribe", ["timestamp"] = Dci.Now(), ["reg_type"] = Dci.RegType, ["reg_event_type"] = eventType,
                    ["filter_type"] = "idtype-value", ["filter"] = filter!.DeepClone(), ["notify_record_type"] = recordType,
                }),
            });
        }
        var message = new JsonObject { ["transaction_id"] = request.TransactionId, ["correlation_id"] = correlationId, ["subscribe_response"] = responses };
        var header = DciEnvelope.CallbackHeader(Dci.Actions.OnSubscribe, "succ", items.Count, items.Count, s.Options.RegistryId, request.SenderId);
        var callbacks = request.SenderUri is { } uri ? [new DciCallback(uri, Dci.Actions.OnSubscribe, DciEnvelope.Envelope(header, message))] : Array.Empty<DciCallback>();
        await s.Exchanges.RecordAsync(request, correlationId, user.Name, "succ", message, callbacks, ct);
        return Results.Json(DciEnvelope.Ack(callbacks.Length > 0 ? "ACK" : "NACK", correlationId), statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> UnsubscribeAsync(HttpContext http, [Microsoft.AspNetCore.Mvc.FromServices] DciServices s, CancellationToken ct)
    {
        var (request, refusal) = await ReadAsync(http, s, Dci.Actions.Unsubscribe, ct);
        if (request is null) return refusal!;
        if (TransactionProblem(request) is { } bad) return Error(bad);
        if (request.Message["subscription_codes"] is not JsonArray codes || codes.Count == 0 || codes.Count > 100
            || codes.Any(c => c is not JsonValue v || !v.TryGetValue<string>(out var text) || text.Length is 0 or > DciEnvelope.MaxIdLength))
            return Error(new DciError(Dci.Errors.Bad, "message.subscription_codes is a list of 1 to 100 subscription codes."));
        var user = RegistryUser.From(http.User);
        var correlationId = Dci.NewId();
        var statuses = new JsonArray();
        string? firstProblem = null;
        foreach (var code in codes.Select(c => c!.GetValue<string>()).Distinct(StringComparer.Ordinal))
        {
            var outcome = await s.Exchanges.UnsubscribeAsync(code, user.Name, ct);
            if (outcome == "succ") statuses.Add(new JsonObject { ["code"] = code, ["status"] = "unsubscribe" });
            else firstProblem ??= outcome;
        }
        var message = new JsonObject
        {
            ["transaction_id"] = request.TransactionId,
            ["correlation_id"] = correlationId,
            ["timestamp"] = Dci.Now(),
            ["status"] = firstProblem is null ? "succ" : "rjct",
            ["subscription_status"] = statuses,
        };
        if (firstProblem is not null)
        {
            message["status_reason_code"] = firstProblem;
            message["status_reason_message"] = firstProblem switch
            {
                "rjct.subscription_code.invalid" => "A code names no subscription of this registry.",
                "rjct.requester.invalid" => "A code names another subscriber's subscription.",
                _ => "A subscription was already unsubscribed.",
            } + (statuses.Count > 0 ? " The others listed were unsubscribed." : "");
        }
        var header = DciEnvelope.CallbackHeader(Dci.Actions.OnUnsubscribe, "succ", codes.Count, codes.Count, s.Options.RegistryId, request.SenderId);
        var callbacks = request.SenderUri is { } uri ? [new DciCallback(uri, Dci.Actions.OnUnsubscribe, DciEnvelope.Envelope(header, message))] : Array.Empty<DciCallback>();
        await s.Exchanges.RecordAsync(request, correlationId, user.Name, (string)message["status"]!, message, callbacks, ct);
        return Results.Json(DciEnvelope.Ack(callbacks.Length > 0 ? "ACK" : "NACK", correlationId), statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> TxnStatusAsync(HttpContext http, [Microsoft.AspNetCore.Mvc.FromServices] DciServices s, bool sync, CancellationToken ct)
    {
        var (request, refusal) = await ReadAsync(http, s, Dci.Actions.TxnStatus, ct);
        if (request is null) return refusal!;
        if (TransactionProblem(request) is { } bad) return Error(bad);
        if (request.Message["txnstatus_request"] is not JsonObject asked
            || DciEnvelope.Text(asked, "txn_type") is not ("search" or "subscribe" or "receipt")
            || DciEnvelope.Text(asked, "attribute_type") is not ({ } attributeType and ("transaction_id" or "correlation_id" or "reference_id_list")))
            return Error(new DciError(Dci.Errors.Bad,
                "message.txnstatus_request is {reference_id, txn_type: search|subscribe|receipt, attribute_type: transaction_id|correlation_id, attribute_value}."));
        var user = RegistryUser.From(http.User);
        var correlationId = Dci.NewId();
        var txnType = DciEnvelope.Text(asked, "txn_type")!;
        var value = DciEnvelope.Text(asked, "attribute_value");
        string status = "succ", reason;
        DciTransaction? found = null;
        if (attributeType == "reference_id_list" || value is null)
        {
            (status, reason) = ("rjct", "Look a transaction up by transaction_id or correlation_id (a string); reference id lists are not kept.");
        }
        else
        {
            found = await s.Exchanges.FindAsync(user.Name, attributeType, value, ct);
            reason = found is null ? $"No transaction of yours has {attributeType} '{value}'."
                : found.Action == Dci.Actions.Search ? $"{found.Action}: {found.Status}" : $"{found.Action}: {found.Status} (its response went to its own callback)";
            if (found is null) status = "rjct";
        }
        // txn_status holds a search response (the spec's shape); a subscribe's or unsubscribe's own response has no place there, so its
        // status is in the header's status_reason_message and txn_status lists no search response.
        var stored = found?.Action == Dci.Actions.Search && found.Response is { } text ? JsonNode.Parse(text)!.AsObject() : null;
        var txnStatus = stored ?? new JsonObject
        {
            ["transaction_id"] = found?.TransactionId ?? value ?? "",
            ["correlation_id"] = found?.CorrelationId ?? "",
            ["search_response"] = new JsonArray(),
        };
        var message = new JsonObject
        {
            ["transaction_id"] = request.TransactionId,
            ["correlation_id"] = correlationId,
            ["txnstatus_response"] = new JsonObject { ["txn_type"] = txnType, ["txn_status"] = txnStatus },
        };
        var header = DciEnvelope.CallbackHeader(Dci.Actions.TxnOnStatus, status, 1, 1, s.Options.RegistryId, request.SenderId, reason);
        if (sync)
        {
            await s.Exchanges.RecordAsync(request, correlationId, user.Name, status, null, [], ct);
            return Results.Json(DciEnvelope.Envelope(header, message));
        }
        var callbacks = request.SenderUri is { } uri ? [new DciCallback(uri, Dci.Actions.TxnOnStatus, DciEnvelope.Envelope(header, message))] : Array.Empty<DciCallback>();
        await s.Exchanges.RecordAsync(request, correlationId, user.Name, status, null, callbacks, ct);
        return Results.Json(DciEnvelope.Ack(callbacks.Length > 0 ? "ACK" : "NACK", correlationId), statusCode: StatusCodes.Status202Accepted);
    }
}

/// <summary>
/// A DCI request the registry cannot serve right now (PostgreSQL away: a restart, a failover) gets the spec's answer —
/// 503 with <c>err.service.unavailable</c> in an HttpErrorResponse and a Retry-After — instead of an empty 500; nothing was
/// acknowledged, so the partner sends it again. Other faults stay 500 (logged by the host), with the spec's body.
/// </summary>
public sealed partial class DciFaultFilter(ILogger<DciFaultFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException && !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            LogUnavailable(logger, ex);
            context.HttpContext.Response.Headers.RetryAfter = "30";
            return Results.Json(DciEnvelope.HttpError(StatusCodes.Status503ServiceUnavailable, "err.service.unavailable",
                "The registry's database is not reachable right now; nothing was done. Send the request again shortly."), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "DCI request refused: the registry's database is unavailable")]
    private static partial void LogUnavailable(ILogger logger, Exception ex);
}
