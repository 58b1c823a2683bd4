using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Registry.Api.Access;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Api.Tests.Access;

/// <summary>
/// Production sign-in: the development issuer stays in development unless told otherwise, every
/// user has a password of its own, guessing is slowed per address and stopped per user name.
/// </summary>
public sealed class SignInTests
{
    private static readonly Dictionary<string, string?> NoRateLimit = new() { ["Auth:SignInLimit:Burst"] = "100000" };

    [Fact]
    public async Task The_development_issuer_refuses_to_start_in_production_and_says_how_to_fix_it()
    {
        await using var host = new ApiHost(environment: "Production");
        var error = Assert.Throws<InvalidOperationException>(() => host.Services);
        Assert.Contains("development issuer", error.Message, StringComparison.Ordinal);
        Assert.Contains("Production", error.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:DevIssuer:AllowOutsideDevelopment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_development_issuer_runs_outside_development_only_when_explicitly_allowed()
    {
        await using var host = new ApiHost(new Dictionary<string, string?> { ["Auth:DevIssuer:AllowOutsideDevelopment"] = "true" }, environment: "Production");
        using var client = host.Browser();
        using var response = await ApiHost.PostTokenAsync(client, "admin", RegistrySystem.PasswordOf("admin"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_old_shared_password_setting_stops_the_host_with_what_to_set_instead()
    {
        await using var host = new ApiHost(new Dictionary<string, string?> { ["Auth:DevIssuer:Password"] = "demo" });
        var error = Assert.Throws<InvalidOperationException>(() => host.Services);
        Assert.Contains("Auth:DevIssuer:Passwords:<user>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_do_not_share_a_password_and_the_old_demo_password_is_refused()
    {
        await using var host = new ApiHost(NoRateLimit);
        using var client = host.Browser();
        Assert.Equal(HttpStatusCode.OK, (await ApiHost.PostTokenAsync(client, "auditora", RegistrySystem.PasswordOf("auditora"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ApiHost.PostTokenAsync(client, "admin", RegistrySystem.PasswordOf("auditora"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ApiHost.PostTokenAsync(client, "admin", "demo")).StatusCode);
    }

    [Fact]
    public async Task Without_configured_passwords_each_start_makes_up_new_ones_and_a_new_signing_key()
    {
        var settings = new Dictionary<string, string?>(NoRateLimit) { ["Auth:DevIssuer:Passwords:admin"] = "" };
        await using var first = new ApiHost(settings);
        await using var second = new ApiHost(settings);
        var one = first.Services.GetRequiredService<DevelopmentIssuer>();
        var two = second.Services.GetRequiredService<DevelopmentIssuer>();
        Assert.NotEqual(one.GeneratedPasswords["admin"], two.GeneratedPasswords["admin"]);
        Assert.NotEqual(one.SigningKey.Key, two.SigningKey.Key);
        Assert.DoesNotContain("auditora", one.GeneratedPasswords.Keys);

        using var client = first.Browser();
        using var token = await ApiHost.PostTokenAsync(client, "admin", one.GeneratedPasswords["admin"]);
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        // A token of one start is worthless at another: the key was never shared.
        var bearer = System.Text.Json.JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString();
        using var other = second.Browser();
        other.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/summary")).StatusCode);
    }

    [Fact]
    public async Task Twenty_five_wrong_passwords_lock_the_user_even_against_the_right_password_while_others_sign_in()
    {
        await using var host = new ApiHost(NoRateLimit);
        using var client = host.Browser();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 25; i++)
            answers.Add((await ApiHost.PostTokenAsync(client, "gestor.victoria", "guess-" + i)).StatusCode);
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), answers.Take(4));
        Assert.All(answers.Skip(4), a => Assert.Equal(HttpStatusCode.TooManyRequests, a));

        using var right = await ApiHost.PostTokenAsync(client, "gestor.victoria", RegistrySystem.PasswordOf("gestor.victoria"));
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(right.Headers.RetryAfter);

        // The login form says the same, in the user's language.
        using var form = await ApiHost.PostLoginAsync(client, "GESTOR.VICTORIA", RegistrySystem.PasswordOf("gestor.victoria"));
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
        Assert.Contains("bloqueado", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await ApiHost.PostTokenAsync(client, "gestora.reynosa", RegistrySystem.PasswordOf("gestora.reynosa"))).StatusCode);

        // The lockout ends on its own; the right password then works again.
        host.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.OK, (await ApiHost.PostTokenAsync(client, "gestor.victoria", RegistrySystem.PasswordOf("gestor.victoria"))).StatusCode);
    }

    [Fact]
    public async Task The_login_form_locks_a_user_too()
    {
        await using var host = new ApiHost(NoRateLimit);
        using var client = host.Browser();
        for (var i = 0; i < 5; i++) await ApiHost.PostLoginAsync(client, "custodio", "guess-" + i);
        using var right = await ApiHost.PostLoginAsync(client, "custodio", RegistrySystem.PasswordOf("custodio"));
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Contains("id=\"locked\"", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(right.Headers.TryGetValues("Set-Cookie", out var c) ? c : [], v => v.StartsWith("registry.session=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sign_in_attempts_from_one_address_are_rate_limited_with_a_clear_message()
    {
        await using var host = new ApiHost(new Dictionary<string, string?>
        {
            ["Auth:SignInLimit:Burst"] = "3", ["Auth:SignInLimit:PerPeriod"] = "1", ["Auth:SignInLimit:Period"] = "01:00:00",
        });
        using var client = host.Browser();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await ApiHost.PostTokenAsync(client, "admin", "guess-" + i)).StatusCode);
        using var limited = await ApiHost.PostTokenAsync(client, "auditora", RegistrySystem.PasswordOf("auditora"));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("Too many sign-in attempts from this address", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The form still shows; posting it is limited too.
        using var form = await ApiHost.PostLoginAsync(client, "auditora", RegistrySystem.PasswordOf("auditora"));
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
        Assert.Contains("Demasiados intentos de inicio de sesión", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Another client address has its own allowance.
        host.ClientAddress = IPAddress.Parse("192.0.2.44");
        Assert.Equal(HttpStatusCode.OK, (await ApiHost.PostTokenAsync(client, "auditora", RegistrySystem.PasswordOf("auditora"))).StatusCode);
    }
}
