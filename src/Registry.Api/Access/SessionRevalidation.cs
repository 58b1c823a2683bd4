using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace Registry.Api.Access;

/// <summary>
/// A web session does not keep the roles, municipalities and sectors of its sign-in forever:
/// every <see cref="AuthOptions.RevalidateAfter"/> the cookie's principal is rebuilt from its
/// issuer — the dev issuer's user as it is now, or the OIDC provider through the refresh token
/// and userinfo — and a session the issuer no longer vouches for is signed out. A session also
/// ends <see cref="AuthOptions.SessionLimit"/> after sign-in, however active.
/// </summary>
public static class SessionRevalidation
{
    private const string SignedInAt = "registry.signed_in";
    private const string CheckedAt = "registry.checked";

    /// <summary>Stamps a new session with its sign-in time (the start of its absolute limit).</summary>
    public static Task OnSigningIn(CookieSigningInContext context)
    {
        var now = Clock(context.HttpContext).GetUtcNow();
        context.Properties.Items[SignedInAt] = Stamp(now);
        context.Properties.Items[CheckedAt] = Stamp(now);
        return Task.CompletedTask;
    }

    public static async Task OnValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var options = services.GetRequiredService<IOptions<AuthOptions>>();
        var now = Clock(context.HttpContext).GetUtcNow();
        var signedIn = Read(context.Properties, SignedInAt) ?? context.Properties.IssuedUtc ?? now;
        if (now - signedIn >= options.Value.SessionLimit)
        {
            await RejectAsync(context);
            return;
        }
        if (Read(context.Properties, CheckedAt) is { } checkedAt && now - checkedAt < options.Value.RevalidateAfter) return;

        ClaimsPrincipal? current = null;
        if (options.Value.DevIssuer.Enabled)
        {
            var user = services.GetRequiredService<DevelopmentIssuer>().Find(context.Principal?.Identity?.Name);
            if (user is not null) current = AuthSetup.PrincipalFor(user);
        }
        else if (AuthSetup.UsesOidcLogin(options))
            current = await RefreshFromProviderAsync(context, options.Value);

        if (current is null)
        {
            await RejectAsync(context);
            return;
        }
        context.ReplacePrincipal(current);
        context.Properties.Items[SignedInAt] = Stamp(signedIn);
        context.Properties.Items[CheckedAt] = Stamp(now);
        context.ShouldRenew = true;
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// Refresh-token grant at the provider, then its userinfo: the claims the provider gives
    /// now. Null when the provider refuses (user disabled, session revoked, grant expired).
    /// </summary>
    private static async Task<ClaimsPrincipal?> RefreshFromProviderAsync(CookieValidatePrincipalContext context, AuthOptions auth)
    {
        var refreshToken = context.Properties.GetTokenValue("refresh_token");
        if (string.IsNullOrEmpty(refreshToken)) return null;
        var oidc = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(AuthSetup.OidcScheme);
        var aborted = context.HttpContext.RequestAborted;
        var configuration = oidc.Configuration ?? await oidc.ConfigurationManager!.GetConfigurationAsync(aborted);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["client_id"] = oidc.ClientId ?? "",
        };
        if (!string.IsNullOrEmpty(oidc.ClientSecret)) form["client_secret"] = oidc.ClientSecret;
        using var tokenResponse = await oidc.Backchannel.PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(form), aborted);
        if (!tokenResponse.IsSuccessStatusCode) return null;
        using var tokens = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync(aborted));
        if (!tokens.RootElement.TryGetProperty("access_token", out var accessToken) || accessToken.GetString() is not { } access) return null;

        using var request = new HttpRequestMessage(HttpMethod.Get, configuration.UserInfoEndpoint);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", access);
        using var userInfoResponse = await oidc.Backchannel.SendAsync(request, aborted);
        if (!userInfoResponse.IsSuccessStatusCode) return null;
        using var userInfo = JsonDocument.Parse(await userInfoResponse.Content.ReadAsStringAsync(aborted));

        var claims = new List<Claim>();
        foreach (var property in userInfo.RootElement.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Array)
                claims.AddRange(property.Value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => new Claim(property.Name, v.GetString()!)));
            else if (property.Value.ValueKind == JsonValueKind.String)
                claims.Add(new Claim(property.Name, property.Value.GetString()!));
        }
        var tokenValues = new List<AuthenticationToken> { new() { Name = "access_token", Value = access } };
        tokenValues.Add(new() { Name = "refresh_token", Value = tokens.RootElement.TryGetProperty("refresh_token", out var r) ? r.GetString() ?? refreshToken : refreshToken });
        if (tokens.RootElement.TryGetProperty("id_token", out var id) && id.GetString() is { } idToken) tokenValues.Add(new() { Name = "id_token", Value = idToken });
        context.Properties.StoreTokens(tokenValues);
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme, RegistryRoles.NameClaim, auth.RoleClaim));
    }

    private static TimeProvider Clock(HttpContext http) => http.RequestServices.GetRequiredService<TimeProvider>();

    private static string Stamp(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset? Read(AuthenticationProperties properties, string key) =>
        properties.Items.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}

/// <summary>
/// The session cookie: Secure whenever the request came over https (directly or through a
/// trusted proxy) and also on plain http, unless <see cref="AuthOptions.AllowInsecureCookieOnLoopback"/>
/// is on and the browser addressed a loopback host (the demo and the tests on http://127.0.0.1).
/// </summary>
public sealed class SessionCookieBuilder(bool allowInsecureOnLoopback) : CookieBuilder
{
    public override CookieOptions Build(HttpContext context, DateTimeOffset expiresFrom)
    {
        var options = base.Build(context, expiresFrom);
        options.Path = Path ?? (context.Request.PathBase.HasValue ? context.Request.PathBase.ToString() : "/");
        options.Secure = context.Request.IsHttps || !(allowInsecureOnLoopback && IsLoopback(context.Request.Host.Host));
        return options;
    }

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ||
        (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
