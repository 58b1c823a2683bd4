using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Registry.Api;
using Registry.Extracts;
using Registry.Ingest.Inbox;
using Registry.ServiceDefaults;

namespace Registry.Integration.Tests.Infrastructure;

/// <summary>
/// Both real hosts (workers and API) for one test, on its own database, queue prefix, inbox and
/// archive, against the real servers. Files are dropped the way agencies are told to: written
/// as *.part, then renamed.
/// </summary>
public sealed class RegistrySystem : IAsyncDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "registry-tests", Guid.NewGuid().ToString("N")[..12]);
    private WebApplicationFactory<ExtractIntake>? _workers;
    private WebApplicationFactory<RegistryApiMarker>? _api;

    /// <summary>The test database as the admin (who migrates and may read and change anything).</summary>
    public string ConnectionString { get; private set; } = "";
    /// <summary>The same database as the workers host connects to it (role registry_workers).</summary>
    public string WorkersConnectionString { get; private set; } = "";
    /// <summary>The same database as the API host connects to it (role registry_api).</summary>
    public string ApiConnectionString { get; private set; } = "";
    public string QueuePrefix { get; } = "t" + Guid.NewGuid().ToString("N")[..8] + "-";
    public string InboxRoot => Path.Combine(_work, "inbox");
    /// <summary>An API client signed in as the development issuer's <c>admin</c> (every endpoint but the access log).</summary>
    public HttpClient Api { get; private set; } = null!;

    /// <summary>The API's address on a real loopback port (only when started with <c>realHttp</c>, e.g. for a browser).</summary>
    public Uri? ApiAddress { get; private set; }

    /// <summary>Signing key of the development issuer the test hosts enable (tokens come from its real /auth/token endpoint), made up per test run.</summary>
    public static readonly string DevSigningKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static readonly string RunSecret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));

    /// <summary>The password the test hosts configure for a seeded user (each user its own, new every test run).</summary>
    public static string PasswordOf(string user) => $"{user}-{RunSecret}";

    /// <summary>Extra settings of both hosts (applied last, so they override the defaults below).</summary>
    private IReadOnlyDictionary<string, string?> _settings = new Dictionary<string, string?>();

    /// <param name="workersVia">rewrites the workers host's connection string (e.g. through a <see cref="DatabaseOutage"/> relay)</param>
    public static async Task<RegistrySystem> StartAsync(RegistryServers servers, int chunkSize = 500, bool realHttp = false,
        IReadOnlyDictionary<string, string?>? settings = null, Func<string, string>? workersVia = null)
    {
        var system = new RegistrySystem { ConnectionString = await servers.CreateDatabaseAsync(), _settings = settings ?? new Dictionary<string, string?>() };
        var database = new Npgsql.NpgsqlConnectionStringBuilder(system.ConnectionString).Database!;
        system.WorkersConnectionString = (workersVia ?? (c => c))(servers.WorkersConnectionString(database));
        system.ApiConnectionString = servers.ApiConnectionString(database);
        system.StartWorkers(servers, chunkSize);
        // Creating the client starts the workers host: migrations run, the bus and the inbox start.
        _ = system._workers!.Services;
        system._api = new WebApplicationFactory<RegistryApiMarker>().WithWebHostBuilder(b =>
        {
            system.Configure(b, servers, chunkSize, system.ApiConnectionString);
            // A free loopback port, never the API's configured default (a demo may be running there).
            if (realHttp) b.UseSetting("urls", "http://127.0.0.1:0");
        });
        if (realHttp)
        {
            system._api.UseKestrel(0);
            system._api.StartServer();
            var addresses = system._api.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
            system.ApiAddress = new Uri(addresses.First());
        }
        system.Api = await system.ApiClientAsync("admin");
        return system;
    }

    /// <summary>The purpose test clients declare by default (reads of persons, households and lineage require one).</summary>
    public const string DefaultPurpose = "pruebas automatizadas";

    /// <summary>
    /// A client carrying a bearer token for a seeded user (or none for <c>null</c>), from the dev issuer's token endpoint,
    /// declaring <paramref name="purpose"/> (X-Purpose) on every request unless null.
    /// </summary>
    public async Task<HttpClient> ApiClientAsync(string? user, string? password = null, string? purpose = DefaultPurpose)
    {
        // Redirects are not followed, so a test sees the 302 to the login page itself.
        var client = ApiAddress is null
            ? _api!.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false })
            : new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = ApiAddress };
        if (purpose is not null) client.DefaultRequestHeaders.Add("X-Purpose", purpose);
        if (user is null) return client;
        using var response = await client.PostAsync("/auth/token", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["username"] = user, ["password"] = password ?? PasswordOf(user) }));
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public void StartWorkers(RegistryServers servers, int chunkSize = 500) =>
        _workers = new WebApplicationFactory<ExtractIntake>().WithWebHostBuilder(b =>
        {
            Configure(b, servers, chunkSize, WorkersConnectionString);
            b.UseSetting("ConnectionStrings:RegistryOwner", ConnectionString);
        });

    /// <summary>A second workers host on the same database, queue and inbox (a replica); the caller disposes it.</summary>
    public WebApplicationFactory<ExtractIntake> AnotherWorkers(RegistryServers servers, int chunkSize = 500) =>
        new WebApplicationFactory<ExtractIntake>().WithWebHostBuilder(b =>
        {
            Configure(b, servers, chunkSize, WorkersConnectionString);
            b.UseSetting("ConnectionStrings:RegistryOwner", ConnectionString);
        });

    /// <summary>Stops the workers host abruptly-ish (disposes it) — used to simulate a crash/restart.</summary>
    public async Task StopWorkersAsync()
    {
        if (_workers is not null) await _workers.DisposeAsync();
        _workers = null;
    }

    public IServiceProvider WorkerServices => _workers!.Services;

    public IServiceProvider ApiServices => _api!.Services;

    /// <summary>Agency upload keys configured for the test hosts (only their SHA-256 reaches the configuration).</summary>
    public static readonly (string Agency, string Key)[] UploadKeys = [("SSA-TAM", "ssa-test-key"), ("DIF-TAM", "dif-test-key")];

    /// <summary>A client for the workers host (where uploads are received).</summary>
    public HttpClient CreateWorkersClient() => _workers!.CreateClient();

    private void Configure(IWebHostBuilder builder, RegistryServers servers, int chunkSize, string hostConnectionString)
    {
        builder.UseSetting("ConnectionStrings:Registry", hostConnectionString);
        builder.UseSetting("ConnectionStrings:RabbitMq", servers.BrokerUri);
        builder.UseSetting("Bus:QueuePrefix", QueuePrefix);
        builder.UseSetting("Feeds:DefinitionsPath", RepoPaths.Feeds);
        builder.UseSetting("Inbox:Root", InboxRoot);
        builder.UseSetting("Inbox:ArchiveRoot", Path.Combine(_work, "archive"));
        builder.UseSetting("Inbox:ScanInterval", "00:00:00.500");
        builder.UseSetting("Inbox:SettleTime", "00:00:00.200");
        builder.UseSetting("Inbox:ChunkSize", chunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Telemetry:Exporter", "none");
        builder.UseSetting("Auth:DevIssuer:Enabled", "true");
        builder.UseSetting("Auth:DevIssuer:SigningKey", DevSigningKey);
        builder.UseSetting("Auth:DevIssuer:AllowOutsideDevelopment", "true");
        foreach (var user in Registry.Api.Access.DevelopmentIssuer.SeededUsers)
            builder.UseSetting($"Auth:DevIssuer:Passwords:{user.UserName}", PasswordOf(user.UserName));
        builder.UseSetting("Upload:MaxBytes", "100000");
        // Tests search far faster than a person; the limiter has tests of its own (SearchLimitsTests).
        builder.UseSetting("Search:RateLimit:PermitLimit", "100000");
        // API pulls: short back-off and timeouts so fault tests stay fast; no schedule firing mid-test.
        builder.UseSetting("Hangfire:RecurringPulls", "false");
        builder.UseSetting("Hangfire:QueuePollInterval", "00:00:00.500");
        builder.UseSetting("Hangfire:SchedulePollingInterval", "00:00:01");
        builder.UseSetting("Hangfire:ShutdownTimeout", "00:00:02");
        builder.UseSetting("ApiPull:Http:AttemptTimeout:Timeout", "00:00:01");
        builder.UseSetting("ApiPull:Http:TotalRequestTimeout:Timeout", "00:00:30");
        builder.UseSetting("ApiPull:Http:Retry:Delay", "00:00:00.050");
        builder.UseSetting("ApiPull:Http:Retry:MaxRetryAttempts", "4");
        builder.UseSetting("ApiPull:Http:CircuitBreaker:SamplingDuration", "00:00:05");
        builder.UseSetting("ApiPull:Http:CircuitBreaker:MinimumThroughput", "100");
        builder.UseSetting("ApiPull:Http:CircuitBreaker:BreakDuration", "00:00:01");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        for (var i = 0; i < UploadKeys.Length; i++)
        {
            builder.UseSetting($"Upload:ApiKeys:{i}:Agency", UploadKeys[i].Agency);
            builder.UseSetting($"Upload:ApiKeys:{i}:KeySha256",
                Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(UploadKeys[i].Key))));
        }
    }

    /// <summary>Drops a file into a feed's inbox as an agency would (write *.part, then rename).</summary>
    public async Task DropAsync(string feedCode, string sourceFile, string? asName = null)
    {
        var folder = Path.Combine(InboxRoot, feedCode);
        Directory.CreateDirectory(folder);
        var name = asName ?? Path.GetFileName(sourceFile);
        var part = Path.Combine(folder, name + ".part");
        File.Copy(sourceFile, part, overwrite: true);
        await Task.Yield();
        File.Move(part, Path.Combine(folder, name));
    }

    public async Task<IReadOnlyList<ExtractReport>> ExtractsAsync() =>
        await Api.GetFromJsonAsync<List<ExtractReport>>("/api/extracts") ?? [];

    /// <summary>Waits until <paramref name="count"/> extracts exist and all are resolved, rejected or failed, and no file waits in the inbox.</summary>
    public async Task<IReadOnlyList<ExtractReport>> WaitForExtractsAsync(int count, int receipts = 0, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        IReadOnlyList<ExtractReport> extracts = [];
        while (DateTime.UtcNow < deadline)
        {
            extracts = await ExtractsAsync();
            var inboxEmpty = !Directory.Exists(InboxRoot) || !Directory.EnumerateFiles(InboxRoot, "*", SearchOption.AllDirectories).Any();
            if (inboxEmpty && extracts.Count == count && extracts.Sum(e => e.Receipts) >= Math.Max(receipts, count) &&
                extracts.All(e => e.Status is ExtractStatus.Resolved or ExtractStatus.Rejected or ExtractStatus.Failed))
                return extracts;
            await Task.Delay(200);
        }
        throw new TimeoutException(
            $"Extracts did not settle: {string.Join("; ", extracts.Select(e => $"{e.FileName} {e.Status} {e.RowsResolved}/{e.RowsAccepted}"))}");
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        if (_api is not null) await _api.DisposeAsync();
        await StopWorkersAsync();
        await BrokerCleanup.DeleteByPrefixAsync([QueuePrefix]);
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
