using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Registry.Api.Access;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Api.Tests.Access;

/// <summary>
/// The API host alone, for sign-in, cookie and header tests that read no registry data: no
/// background services (bus, none of the database), its clock in the test's hand, and each
/// request arriving from the address the test chooses (loopback unless told), as a proxy would.
/// </summary>
public sealed partial class ApiHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<RegistryApiMarker> _factory;

    public TestClock Clock { get; } = new();
    /// <summary>The address requests come from (the connection's remote address).</summary>
    public IPAddress ClientAddress { get; set; } = IPAddress.Loopback;

    /// <summary>
    /// A session <c>GET /test/sign-in</c> starts, as if an OIDC provider's callback had just
    /// signed the user in (tokens included): the part of the code flow the provider would play.
    /// </summary>
    public (System.Security.Claims.ClaimsPrincipal Principal, Microsoft.AspNetCore.Authentication.AuthenticationProperties Properties)? ProviderSession { get; set; }

    public ApiHost(IReadOnlyDictionary<string, string?>? settings = null, string environment = "Development",
        Action<IServiceCollection>? services = null, bool devIssuer = true, bool kestrel = false)
    {
        _factory = new WebApplicationFactory<RegistryApiMarker>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            b.UseSetting("ConnectionStrings:Registry", "Host=127.0.0.1;Port=1;Username=nobody;Database=nothing");
            b.UseSetting("ConnectionStrings:RabbitMq", "amqp://nobody:nobody@127.0.0.1:1/");
            b.UseSetting("Feeds:DefinitionsPath", RepoPaths.Feeds);
            // No database here: the key ring stays in the process.
            b.UseSetting("DataProtection:Keys", "process");
            b.UseSetting("Telemetry:Exporter", "none");
            b.UseSetting("Auth:DevIssuer:Enabled", devIssuer ? "true" : "false");
            if (devIssuer)
                foreach (var user in DevelopmentIssuer.SeededUsers)
                    b.UseSetting($"Auth:DevIssuer:Passwords:{user.UserName}", RegistrySystem.PasswordOf(user.UserName));
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) b.UseSetting(key, value);
            if (kestrel) b.UseSetting("urls", "http://127.0.0.1:0");
            b.ConfigureTestServices(s =>
            {
                s.RemoveAll<IHostedService>();
                s.RemoveAll<TimeProvider>();
                s.AddSingleton<TimeProvider>(Clock);
                s.AddSingleton<IStartupFilter>(new ClientAddressFilter(this));
                services?.Invoke(s);
            });
        });
        if (kestrel)
        {
            _factory.UseKestrel(0);
            _factory.StartServer();
            Address = new Uri(_factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());
        }
    }

    /// <summary>The real loopback address (Kestrel hosts only).</summary>
    public Uri? Address { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>A client that keeps cookies (like a browser) and does not follow redirects.</summary>
    public HttpClient Browser() =>
        Address is null
            ? _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true })
            : new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Address };

    /// <summary>Fills the dev login form (antiforgery token included) and posts it.</summary>
    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string user, string password, Action<HttpRequestMessage>? headers = null)
    {
        using var form = new HttpRequestMessage(HttpMethod.Get, "/login");
        headers?.Invoke(form);
        using var page = await client.SendAsync(form);
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(html).Groups[1].Value;
        var post = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["username"] = user, ["password"] = password, ["returnUrl"] = "/", ["__RequestVerificationToken"] = token,
            }),
        };
        headers?.Invoke(post);
        return await client.SendAsync(post);
    }

    public static Task<HttpResponseMessage> PostTokenAsync(HttpClient client, string user, string password) =>
        client.PostAsync("/auth/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = user, ["password"] = password }));

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    private sealed class ClientAddressFilter(ApiHost host) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress ??= host.ClientAddress;
                if (context.Request.Path == "/test/sign-in" && host.ProviderSession is { } session)
                {
                    await Microsoft.AspNetCore.Authentication.AuthenticationHttpContextExtensions.SignInAsync(
                        context, Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme, session.Principal, session.Properties);
                    return;
                }
                await nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class TestClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
