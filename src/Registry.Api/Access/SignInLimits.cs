using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Registry.Api.Access;

/// <summary>
/// Brakes on password guessing: the rate limiter (one registration for the host; other features
/// add their policies to the same limiter with <c>services.AddRateLimiter</c>) and the sign-in
/// policy, a token bucket per client address on <c>POST /login</c> and <c>POST /auth/token</c>.
/// The client address is the one forwarded by a trusted proxy (<see cref="ProxyForwarding"/>).
/// </summary>
public static class SignInLimits
{
    public const string Policy = "sign-in";

    public static IServiceCollection AddSignInLimits(this IServiceCollection services)
    {
        services.AddSingleton<SignInLockout>();
        services.AddRateLimiter(o => o.AddPolicy<string, SignInRatePolicy>(Policy));
        return services;
    }

    private sealed class SignInRatePolicy(IOptions<AuthOptions> options) : IRateLimiterPolicy<string>
    {
        public RateLimitPartition<string> GetPartition(HttpContext httpContext)
        {
            // Showing the form costs nothing; only attempts are counted.
            if (!HttpMethods.IsPost(httpContext.Request.Method)) return RateLimitPartition.GetNoLimiter("read");
            var limit = options.Value.SignInLimit;
            return RateLimitPartition.GetTokenBucketLimiter(
                httpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, limit.Burst),
                    TokensPerPeriod = Math.Max(1, limit.PerPeriod),
                    ReplenishmentPeriod = limit.Period,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
        }

        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (context, token) =>
        {
            var http = context.HttpContext;
            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            const string message = "Too many sign-in attempts from this address; wait a few seconds and try again.";
            if (http.Request.Path.StartsWithSegments("/login"))
            {
                // A person at the form reads this, not a program: plain words in both languages.
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync("Demasiados intentos de inicio de sesión desde esta dirección; espere unos segundos y vuelva a intentarlo.\n" + message + "\n", token);
                return;
            }
            await Results.Problem(message, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many sign-in attempts").ExecuteAsync(http);
        };
    }
}

/// <summary>
/// Locks a user name after <see cref="SignInLimitOptions.MaxFailures"/> wrong passwords in a row,
/// for <see cref="SignInLimitOptions.Lockout"/>; while locked every password is refused. Per
/// host process (the dev issuer runs in one API host; an OIDC provider has its own brute-force
/// detection, see deploy/keycloak).
/// </summary>
public sealed class SignInLockout(IOptions<AuthOptions> options, TimeProvider clock)
{
    private sealed record State(int Failures, DateTimeOffset LastFailure, DateTimeOffset? LockedUntil);

    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.OrdinalIgnoreCase);
    private SignInLimitOptions Limits => options.Value.SignInLimit;

    public DateTimeOffset? LockedUntil(string userName) =>
        _states.TryGetValue(userName, out var s) && s.LockedUntil is { } until && until > clock.GetUtcNow() ? until : null;

    /// <summary>Counts a wrong password; returns the end of the lockout if this one caused it.</summary>
    public DateTimeOffset? Failed(string userName)
    {
        var now = clock.GetUtcNow();
        var state = _states.AddOrUpdate(userName,
            _ => Next(new State(0, now, null), now),
            (_, s) => Next(s, now));
        return state.LockedUntil is { } until && until > now ? until : null;
    }

    public void Succeeded(string userName) => _states.TryRemove(userName, out _);

    private State Next(State s, DateTimeOffset now)
    {
        // A run of failures ends when a lockout has been served or the last failure is older than a lockout.
        var fresh = (s.LockedUntil is { } ended && ended <= now) || now - s.LastFailure > Limits.Lockout;
        var failures = (fresh ? 0 : s.Failures) + 1;
        return new State(failures, now, failures >= Math.Max(1, Limits.MaxFailures) ? now + Limits.Lockout : null);
    }

    public static string RetryAfterSeconds(DateTimeOffset until, TimeProvider clock) =>
        Math.Max(1, (int)Math.Ceiling((until - clock.GetUtcNow()).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
