using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Registry.Api.Access;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Api.Tests.Access;

/// <summary>
/// The web session: a Secure cookie and https redirect URIs behind a TLS-terminating proxy, and
/// roles and territories that follow the issuer rather than the moment of sign-in.
/// </summary>
public sealed class SessionTests
{
    private static Action<HttpRequestMessage> BehindTlsProxy => r =>
    {
        r.Headers.Add("X-Forwarded-Proto", "https");
        r.Headers.Add("X-Forwarded-Host", "registro.example");
        r.Headers.Add("X-Forwarded-For", "198.51.100.7");
    };

    private static string SessionCookie(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("registry.session=", StringComparison.Ordinal));

    private static async Task<string> WhoAsync(HttpClient client)
    {
        // Any page's top bar names the user's role and municipalities.
        using var page = await client.GetAsync("/denegado");
        return await page.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Behind_a_tls_proxy_on_loopback_the_session_cookie_is_secure()
    {
        await using var host = new ApiHost(new Dictionary<string, string?> { ["Auth:AllowInsecureCookieOnLoopback"] = "true" });
        using var client = host.Browser();
        using var response = await ApiHost.PostLoginAsync(client, "custodio", RegistrySystem.PasswordOf("custodio"), BehindTlsProxy);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = SessionCookie(response);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task On_plain_http_the_cookie_is_secure_unless_loopback_is_explicitly_allowed_to_go_without()
    {
        await using (var strict = new ApiHost())
        {
            using var client = strict.Browser();
            using var response = await ApiHost.PostLoginAsync(client, "custodio", RegistrySystem.PasswordOf("custodio"));
            Assert.Contains("secure", SessionCookie(response), StringComparison.OrdinalIgnoreCase);
        }
        await using var demo = new ApiHost(new Dictionary<string, string?> { ["Auth:AllowInsecureCookieOnLoopback"] = "true" });
        using (var client = demo.Browser())
        {
            using var response = await ApiHost.PostLoginAsync(client, "custodio", RegistrySystem.PasswordOf("custodio"));
            Assert.DoesNotContain("secure", SessionCookie(response), StringComparison.OrdinalIgnoreCase);
        }
        // Another host name on plain http (a proxy that forgot X-Forwarded-Proto) still gets a Secure cookie.
        using (var client = demo.Browser())
        {
            using var response = await ApiHost.PostLoginAsync(client, "custodio", RegistrySystem.PasswordOf("custodio"),
                r => r.Headers.Add("X-Forwarded-Host", "registro.example"));
            Assert.Contains("secure", SessionCookie(response), StringComparison.OrdinalIgnoreCase);
        }
    }

    private static ApiHost OidcHost() => new(new Dictionary<string, string?>
        {
            ["Auth:Authority"] = "https://idp.example/realms/registry",
            ["Auth:ClientId"] = "registry-web",
            ["Auth:ClientSecret"] = "test-secret",
        },
        devIssuer: false,
        services: s => s.Configure<OpenIdConnectOptions>(AuthSetup.OidcScheme, o => o.Configuration = new OpenIdConnectConfiguration
        {
            Issuer = "https://idp.example/realms/registry",
            AuthorizationEndpoint = "https://idp.example/realms/registry/protocol/openid-connect/auth",
            TokenEndpoint = "https://idp.example/realms/registry/protocol/openid-connect/token",
        }));

    private static async Task<Uri> OidcChallengeAsync(ApiHost host, Action<HttpRequestMessage>? headers)
    {
        using var client = host.Browser();
        using var form = new HttpRequestMessage(HttpMethod.Get, "/login");
        headers?.Invoke(form);
        var html = await (await client.SendAsync(form)).Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var post = new HttpRequestMessage(HttpMethod.Post, "/login?handler=Oidc")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/", ["__RequestVerificationToken"] = token }),
        };
        headers?.Invoke(post);
        using var challenge = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var location = challenge.Headers.Location!;
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Query);
        return new Uri(query["redirect_uri"].ToString());
    }

    [Fact]
    public async Task Behind_a_tls_proxy_the_identity_provider_is_given_an_https_redirect_uri()
    {
        await using var host = OidcHost();
        Assert.Equal("https://registro.example/signin-oidc", (await OidcChallengeAsync(host, BehindTlsProxy)).ToString());
    }

    [Fact]
    public async Task Forwarded_headers_from_an_unknown_address_are_ignored()
    {
        await using var host = OidcHost();
        host.ClientAddress = IPAddress.Parse("203.0.113.9");
        var redirect = await OidcChallengeAsync(host, BehindTlsProxy);
        Assert.Equal("http", redirect.Scheme);
        Assert.NotEqual("registro.example", redirect.Host);
    }

    [Fact]
    public async Task A_proxy_setting_that_is_not_an_address_stops_the_host_with_what_to_write()
    {
        await using var host = new ApiHost(new Dictionary<string, string?> { ["Proxy:KnownNetworks:0"] = "10.0.0.0/33" });
        var error = Record.Exception(() => host.Browser());
        Assert.NotNull(error);
        Assert.Contains("Proxy:KnownNetworks holds '10.0.0.0/33'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_proxy_is_believed()
    {
        await using var host = new ApiHost(new Dictionary<string, string?> { ["Proxy:KnownProxies:0"] = "10.1.2.3" });
        host.ClientAddress = IPAddress.Parse("10.1.2.3");
        using var client = host.Browser();
        using var response = await ApiHost.PostLoginAsync(client, "custodio", RegistrySystem.PasswordOf("custodio"), BehindTlsProxy);
        Assert.Contains("secure", SessionCookie(response), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=", string.Join(";", response.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_in_case_manager_gets_the_territory_the_issuer_gives_now_after_the_revalidation_interval()
    {
        await using var host = new ApiHost(new Dictionary<string, string?> { ["Auth:AllowInsecureCookieOnLoopback"] = "true", ["Auth:RevalidateAfter"] = "00:10:00" });
        var issuer = host.Services.GetRequiredService<DevelopmentIssuer>();
        using var client = host.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await ApiHost.PostLoginAsync(client, "gestor.victoria", RegistrySystem.PasswordOf("gestor.victoria"))).StatusCode);
        Assert.Contains("VICTORIA", await WhoAsync(client), StringComparison.Ordinal);

        // An administrator moves the user to Reynosa.
        issuer.Replace(new DevelopmentUser("gestor.victoria", "Gestor Victoria", RegistryRoles.CaseManager, Municipalities: ["REYNOSA"]));
        host.Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Contains("VICTORIA", await WhoAsync(client), StringComparison.Ordinal);
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        var after = await WhoAsync(client);
        Assert.Contains("REYNOSA", after, StringComparison.Ordinal);
        Assert.DoesNotContain("VICTORIA", after, StringComparison.Ordinal);

        // Then withdraws the account: the session ends at the next check.
        issuer.Replace(new DevelopmentUser("gestor.victoria", "", RegistryRoles.CaseManager), remove: true);
        host.Clock.Advance(TimeSpan.FromMinutes(11));
        using var search = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, search.StatusCode);
        Assert.Equal("/login", new Uri(new Uri("http://localhost"), search.Headers.Location!).AbsolutePath);
    }

    [Fact]
    public async Task An_active_session_ends_at_the_absolute_limit()
    {
        await using var host = new ApiHost(new Dictionary<string, string?>
        {
            ["Auth:AllowInsecureCookieOnLoopback"] = "true", ["Auth:SessionLimit"] = "10:00:00", ["Auth:SessionIdle"] = "02:00:00",
        });
        using var client = host.Browser();
        await ApiHost.PostLoginAsync(client, "auditora", RegistrySystem.PasswordOf("auditora"));
        for (var hour = 1; hour < 10; hour++)
        {
            host.Clock.Advance(TimeSpan.FromHours(1));
            Assert.Contains("action=\"/logout\"", await WhoAsync(client), StringComparison.Ordinal);
        }
        host.Clock.Advance(TimeSpan.FromHours(1));
        Assert.DoesNotContain("action=\"/logout\"", await WhoAsync(client), StringComparison.Ordinal);
        using var ended = await client.GetAsync("/revision");
        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        Assert.Equal("/login", new Uri(new Uri("http://localhost"), ended.Headers.Location!).AbsolutePath);
    }

    /// <summary>The provider's token and userinfo endpoints: what it says about the user now, or a refusal.</summary>
    private sealed class FakeProvider : HttpMessageHandler
    {
        public string Municipality { get; set; } = "VICTORIA";
        public bool Refuses { get; set; }
        public List<string> RefreshTokensSeen { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/token", StringComparison.Ordinal))
            {
                var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(await request.Content!.ReadAsStringAsync(cancellationToken));
                RefreshTokensSeen.Add(form["refresh_token"].ToString());
                if (Refuses || form["client_secret"] != "test-secret")
                    return new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("""{"error":"invalid_grant"}""") };
                var next = "refresh-" + RefreshTokensSeen.Count;
                return new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent($$"""{"access_token":"access-{{next}}","refresh_token":"{{next}}","token_type":"Bearer","expires_in":300}"""),
                };
            }
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($$"""{"sub":"u-17","preferred_username":"gestor.victoria","role":["case-manager"],"municipality":["{{Municipality}}"]}"""),
            };
        }
    }

    [Fact]
    public async Task With_an_oidc_provider_the_session_follows_what_the_provider_says_now_and_ends_when_it_refuses()
    {
        using var provider = new FakeProvider();
        await using var host = new ApiHost(new Dictionary<string, string?>
            {
                ["Auth:Authority"] = "https://idp.example/realms/registry", ["Auth:ClientId"] = "registry-web", ["Auth:ClientSecret"] = "test-secret",
                ["Auth:AllowInsecureCookieOnLoopback"] = "true",
            },
            devIssuer: false,
            services: s => s.Configure<OpenIdConnectOptions>(AuthSetup.OidcScheme, o =>
            {
                o.Configuration = new OpenIdConnectConfiguration
                {
                    Issuer = "https://idp.example/realms/registry",
                    AuthorizationEndpoint = "https://idp.example/realms/registry/protocol/openid-connect/auth",
                    TokenEndpoint = "https://idp.example/realms/registry/protocol/openid-connect/token",
                    UserInfoEndpoint = "https://idp.example/realms/registry/protocol/openid-connect/userinfo",
                };
                o.Backchannel = new HttpClient(provider, disposeHandler: false);
            }));
        var properties = new AuthenticationProperties();
        properties.StoreTokens([new() { Name = "access_token", Value = "access-0" }, new() { Name = "refresh_token", Value = "refresh-0" }]);
        host.ProviderSession = (new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new("preferred_username", "gestor.victoria"), new("role", "case-manager"), new("municipality", "VICTORIA")],
            "oidc", "preferred_username", "role")), properties);
        using var client = host.Browser();
        await client.GetAsync("/test/sign-in");
        Assert.Contains("VICTORIA", await WhoAsync(client), StringComparison.Ordinal);

        provider.Municipality = "REYNOSA";
        host.Clock.Advance(TimeSpan.FromMinutes(11));
        var after = await WhoAsync(client);
        Assert.Contains("REYNOSA", after, StringComparison.Ordinal);
        Assert.DoesNotContain("VICTORIA", after, StringComparison.Ordinal);
        Assert.Equal(["refresh-0"], provider.RefreshTokensSeen);

        // The provider revokes the session (user disabled, logged out elsewhere): the app's session ends too.
        provider.Refuses = true;
        host.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.DoesNotContain("action=\"/logout\"", await WhoAsync(client), StringComparison.Ordinal);
        // The refresh token the provider rotated in is the one the session used.
        Assert.Equal(["refresh-0", "refresh-1"], provider.RefreshTokensSeen);
    }
}
