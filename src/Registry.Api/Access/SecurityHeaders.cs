using NetEscapades.AspNetCore.SecurityHeaders.Infrastructure;

namespace Registry.Api.Access;

/// <summary>
/// Security headers on every response (NetEscapades.AspNetCore.SecurityHeaders): a CSP that
/// allows only the app's own scripts, styles and images (no inline code; the pages keep theirs
/// in wwwroot), no framing, no MIME sniffing, no referrer, HSTS on https. Scalar's API reference
/// (<c>/scalar</c>) and Hangfire's dashboard (<c>/hangfire</c>) ship inline scripts and styles
/// of their own, so only those paths get a policy that allows them; they show no registry data
/// to anyone but admins (Hangfire) or nobody (Scalar: the API's description).
/// </summary>
public static class SecurityHeaders
{
    private const string ThirdPartyPages = "third-party-pages";

    public static IServiceCollection AddRegistrySecurityHeaders(this IServiceCollection services) =>
        services.AddSecurityHeaderPolicies(policies => policies
            .SetDefaultPolicy(p => Common(p).AddContentSecurityPolicy(csp =>
            {
                csp.AddDefaultSrc().Self();
                csp.AddScriptSrc().Self();
                csp.AddStyleSrc().Self();
                csp.AddImgSrc().Self();
                csp.AddConnectSrc().Self();
                csp.AddFormAction().Self();
                csp.AddObjectSrc().None();
                csp.AddBaseUri().None();
                csp.AddFrameAncestors().None();
            }))
            .AddPolicy(ThirdPartyPages, p => Common(p).AddContentSecurityPolicy(csp =>
            {
                csp.AddDefaultSrc().Self();
                csp.AddScriptSrc().Self().UnsafeInline();
                csp.AddStyleSrc().Self().UnsafeInline();
                csp.AddImgSrc().Self().From("data:");
                csp.AddFontSrc().Self().From("data:");
                csp.AddConnectSrc().Self();
                csp.AddFormAction().Self();
                csp.AddObjectSrc().None();
                csp.AddBaseUri().Self();
                csp.AddFrameAncestors().None();
            }))
            .SetPolicySelector(ctx => IsThirdPartyPage(ctx.HttpContext.Request) ? ctx.ConfiguredPolicies[ThirdPartyPages] : ctx.DefaultPolicy));

    // Hangfire's dashboard runs in a mapped branch (its prefix moved to PathBase by the time the headers are chosen), hence both parts.
    private static bool IsThirdPartyPage(HttpRequest request)
    {
        var path = request.PathBase.Add(request.Path);
        return path.StartsWithSegments("/scalar") || path.StartsWithSegments(Operations.HangfireDashboard.Path);
    }

    private static Microsoft.AspNetCore.Builder.HeaderPolicyCollection Common(Microsoft.AspNetCore.Builder.HeaderPolicyCollection p) => p
        .AddFrameOptionsDeny()
        .AddContentTypeOptionsNoSniff()
        .AddReferrerPolicyNoReferrer()
        // Only sent on https (the middleware skips plain http), a year as recommended for HSTS.
        .AddStrictTransportSecurityMaxAge(365 * 24 * 60 * 60)
        .AddCrossOriginOpenerPolicy(b => b.SameOrigin())
        .RemoveServerHeader();
}
