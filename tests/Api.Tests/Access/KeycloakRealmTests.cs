using System.Text.Json;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Api.Tests.Access;

/// <summary>
/// The Keycloak realm that docker-compose imports (deploy/keycloak/registry-realm.json): no
/// password grant, brute-force detection, and the attributes that decide what a user may see
/// declared so that only administrators can read or change them. Checked on the file, since
/// these machines run no Docker engine.
/// </summary>
public sealed class KeycloakRealmTests
{
    private static readonly string RealmPath = Path.Combine(RepoPaths.Root, "deploy", "keycloak", "registry-realm.json");

    private static readonly string[] BuiltIn = ["username", "email", "firstName", "lastName"];

    private static JsonElement Realm() => JsonDocument.Parse(File.ReadAllText(RealmPath)).RootElement.Clone();

    [Fact]
    public void No_client_accepts_a_username_and_password_directly()
    {
        var clients = Realm().GetProperty("clients").EnumerateArray().ToList();
        Assert.NotEmpty(clients);
        Assert.All(clients, c => Assert.False(c.GetProperty("directAccessGrantsEnabled").GetBoolean(),
            $"{c.GetProperty("clientId").GetString()} allows the password grant"));
        Assert.All(clients, c => Assert.False(c.TryGetProperty("implicitFlowEnabled", out var implicitFlow) && implicitFlow.GetBoolean()));
    }

    [Fact]
    public void Repeated_wrong_passwords_lock_the_user()
    {
        var realm = Realm();
        Assert.True(realm.GetProperty("bruteForceProtected").GetBoolean());
        Assert.InRange(realm.GetProperty("failureFactor").GetInt32(), 1, 10);
        Assert.True(realm.GetProperty("maxFailureWaitSeconds").GetInt32() >= 900);
    }

    [Fact]
    public void Agency_municipality_and_sensitive_sector_are_declared_and_admin_only()
    {
        var provider = Assert.Single(Realm().GetProperty("components").GetProperty("org.keycloak.userprofile.UserProfileProvider").EnumerateArray());
        Assert.Equal("declarative-user-profile", provider.GetProperty("providerId").GetString());
        var config = Assert.Single(provider.GetProperty("config").GetProperty("kc.user.profile.config").EnumerateArray()).GetString()!;
        var profile = JsonDocument.Parse(config).RootElement;
        // Undeclared attributes are neither kept nor shown (Keycloak's default when the policy is absent).
        Assert.False(profile.TryGetProperty("unmanagedAttributePolicy", out _));
        var attributes = profile.GetProperty("attributes").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);
        foreach (var name in new[] { "agency", "municipality", "sensitive_sector" })
        {
            Assert.True(attributes.TryGetValue(name, out var attribute), $"{name} is not declared in the user profile");
            var permissions = attribute.GetProperty("permissions");
            Assert.Equal(["admin"], permissions.GetProperty("view").EnumerateArray().Select(v => v.GetString()));
            Assert.Equal(["admin"], permissions.GetProperty("edit").EnumerateArray().Select(v => v.GetString()));
        }
        // The built-in attributes stay declared, or Keycloak would drop them on import.
        Assert.All(BuiltIn, n => Assert.Contains(n, attributes.Keys));
    }

    [Fact]
    public void No_secret_or_password_is_committed_in_the_realm()
    {
        var realm = Realm();
        var web = realm.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("clientId").GetString() == "registry-web");
        Assert.Equal("${REGISTRY_WEB_CLIENT_SECRET}", web.GetProperty("secret").GetString());
        var credentials = realm.GetProperty("users").EnumerateArray()
            .SelectMany(u => u.TryGetProperty("credentials", out var c) ? c.EnumerateArray() : Enumerable.Empty<JsonElement>()).ToList();
        Assert.All(credentials, c =>
        {
            Assert.Equal("${REGISTRY_INITIAL_PASSWORD}", c.GetProperty("value").GetString());
            Assert.True(c.GetProperty("temporary").GetBoolean(), "a first password must be changed at first sign-in");
        });
    }
}
