using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Api.Access;
using Registry.Storage;

namespace Registry.Api.Search;

/// <summary>Settings of section <c>Search</c>: how long one search may run, on how many connections, how often a user may search.</summary>
public sealed class SearchOptions
{
    /// <summary>
    /// PostgreSQL's <c>statement_timeout</c> on search connections: a search that would scan every
    /// person (one common word) is stopped by the server and answered 422 instead of holding a connection.
    /// </summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Connections searches may hold at once. A pool of their own, beside the one that serves household
    /// and person reads, so concurrent heavy searches wait for each other instead of starving those reads.
    /// </summary>
    public int MaxConnections { get; set; } = 6;

    public SearchRateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>Searches a signed-in user may run per window (API and UI together), partitioned by user name.</summary>
public sealed class SearchRateLimitOptions
{
    /// <summary>One a second on average: far above a case manager at work, far below a script walking the registry.</summary>
    public int PermitLimit { get; set; } = 60;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// The limits every search passes through: a statement timeout enforced by the server on a small
/// pool of connections that only searches use, and a per-user rate limit (policy <see cref="RateLimitPolicy"/>).
/// </summary>
public static class SearchLimits
{
    public const string RateLimitPolicy = "search";

    public const string TooLongMessage = "The search took too long and was stopped: add a surname or a municipality to narrow it.";
    public const string TooLongMessageEs = "La búsqueda tardó demasiado y se detuvo: agregue un apellido o un municipio para acotarla.";

    /// <summary>Registers <see cref="RegistrySearch"/> on the search connections, and the search rate limiter.</summary>
    public static IServiceCollection AddRegistrySearch(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SearchOptions>().BindConfiguration("Search")
            .Validate(o => o.StatementTimeout >= TimeSpan.FromMilliseconds(1), "Search:StatementTimeout must be at least 1 ms.")
            .Validate(o => o.MaxConnections >= 1, "Search:MaxConnections must be at least 1.")
            .Validate(o => o.RateLimit.PermitLimit >= 1 && o.RateLimit.Window > TimeSpan.Zero, "Search:RateLimit needs PermitLimit >= 1 and a positive Window.")
            .ValidateOnStart();
        services.AddSingleton<SearchConnections>();
        // The search's own data source; every other constructor argument still comes from the container.
        services.Replace(ServiceDescriptor.Singleton(sp =>
            ActivatorUtilities.CreateInstance<RegistrySearch>(sp, sp.GetRequiredService<SearchConnections>())));
        services.AddRateLimiter(o => o.AddPolicy<string, SearchRateLimit>(RateLimitPolicy));
        return services;
    }

    /// <summary>True when PostgreSQL stopped the statement (statement_timeout). A cancelled request surfaces as <see cref="OperationCanceledException"/> instead.</summary>
    public static bool IsStatementTimeout(Exception ex) => ex is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled };

    public static IResult TookTooLong() =>
        Results.Problem(TooLongMessage, statusCode: StatusCodes.Status422UnprocessableEntity, title: "Search too broad");
}

/// <summary>
/// The search connections: the registry's connection string, with the statement timeout set at connect, in pools of their own.
/// <see cref="DataSource"/> plans each statement for its values, as PostgreSQL chooses; <see cref="GenericPlans"/> keeps one
/// plan per statement (<c>plan_cache_mode=force_generic_plan</c>), for the statements whose plan does not depend on the values:
/// a case manager's search blocked on their territory's name index and the page's details — planning them afresh cost about
/// as much as running them.
/// </summary>
public sealed class SearchConnections : IAsyncDisposable
{
    public SearchConnections(IConfiguration configuration, IOptions<SearchOptions> options)
    {
        NpgsqlDataSource Build(string name, string extraOptions)
        {
            var builder = new NpgsqlDataSourceBuilder(RegistryStorage.RequireConnectionString(configuration)) { Name = name };
            var settings = builder.ConnectionStringBuilder;
            // Startup parameters: the server enforces them on every statement of these connections.
            var timeoutMs = Math.Max(1, (long)options.Value.StatementTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            settings.Options = $"{settings.Options} -c statement_timeout={timeoutMs}{extraOptions}".Trim();
            settings.MaxPoolSize = options.Value.MaxConnections;
            RegistryStorage.ConfigureForLookups(settings);
            return builder.Build();
        }
        DataSource = Build("registry-search", "");
        GenericPlans = Build("registry-search-generic", " -c plan_cache_mode=force_generic_plan");
    }

    public NpgsqlDataSource DataSource { get; }

    public NpgsqlDataSource GenericPlans { get; }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await GenericPlans.DisposeAsync();
    }
}

/// <summary>
/// One fixed window per signed-in user. Showing the empty search form costs nothing; every search
/// (API GET or POST, the UI's POST, a FHIR Patient/$match) counts. Over the limit: 429 with Retry-After and what to do.
/// </summary>
public sealed class SearchRateLimit(IOptions<SearchOptions> options) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        if (HttpMethods.IsGet(httpContext.Request.Method) && !httpContext.Request.Path.StartsWithSegments("/api"))
            return RateLimitPartition.GetNoLimiter("(search form)");
        // Authorization ran before the limiter, so only signed-in users get here.
        var user = httpContext.User.Identity?.IsAuthenticated == true ? RegistryUser.From(httpContext.User).Name : "(anonymous)";
        var limit = options.Value.RateLimit;
        return RateLimitPartition.GetFixedWindowLimiter(user, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var limit = options.Value.RateLimit;
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : limit.Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var window = limit.Window.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var message = $"Too many searches: at most {limit.PermitLimit} every {window} s per user. Try again in {seconds} s.";
        if (http.Request.Path.StartsWithSegments("/fhir"))
        {
            await Fhir.FhirJson.Outcome(StatusCodes.Status429TooManyRequests, Hl7.Fhir.Model.OperationOutcome.IssueType.Throttled, message).ExecuteAsync(http);
            return;
        }
        if (http.Request.Path.StartsWithSegments("/api"))
        {
            await Results.Problem(message,
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many searches").ExecuteAsync(http);
            return;
        }
        // The UI: a plain page in the UI's language of record, with the way back to the form.
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(
            "<!DOCTYPE html><html lang=\"es\"><head><meta charset=\"utf-8\"><title>Demasiadas búsquedas</title></head><body>" +
            $"<p role=\"alert\" id=\"rate-limited\">Demasiadas búsquedas: como máximo {limit.PermitLimit} cada {window} s por usuario. " +
            $"Vuelva a intentarlo en {seconds} s.</p><p><a href=\"/\">Volver a buscar</a></p></body></html>", ct);
    }
}
