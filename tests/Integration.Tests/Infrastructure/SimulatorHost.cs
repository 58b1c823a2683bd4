using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using System.Text.Json;
using Registry.AgencySimulator;

namespace Registry.Integration.Tests.Infrastructure;

/// <summary>The agency API simulator on a real loopback port for one test, with its admin endpoints at hand.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    public const string ApiKey = "test-sne-key";

    private WebApplication _app = null!;
    private HttpClient _admin = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<SimulatorHost> StartAsync(int records = 120)
    {
        var host = new SimulatorHost();
        host._app = SimulatorApp.Build([
            "--urls", "http://127.0.0.1:0", "--Simulator:ApiKey", ApiKey,
            "--Simulator:Records", records.ToString(System.Globalization.CultureInfo.InvariantCulture), "--Logging:LogLevel:Default", "Warning",
        ]);
        await host._app.StartAsync();
        host.BaseAddress = SimulatorApp.Address(host._app);
        host._admin = new HttpClient { BaseAddress = host.BaseAddress };
        return host;
    }

    /// <summary>Settings that point the workers at this simulator for the shipped SNE feed.</summary>
    public IReadOnlyDictionary<string, string?> WorkerSettings(string apiKey = ApiKey, Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AgencyApis:SNE:BaseUrl"] = BaseAddress.ToString(),
            ["AgencyApis:SNE:ApiKey"] = apiKey,
        };
        foreach (var (k, v) in more ?? []) settings[k] = v;
        return settings;
    }

    public async Task SetFaultsAsync(Faults faults)
    {
        using var response = await _admin.PostAsJsonAsync("/admin/faults", faults);
        response.EnsureSuccessStatusCode();
    }

    public async Task ChangeAsync(string folio, string status)
    {
        using var response = await _admin.PostAsync(new Uri($"/admin/records/{folio}/change?status={status}", UriKind.Relative), null);
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonElement> StatsAsync() => await _admin.GetFromJsonAsync<JsonElement>("/admin/stats");

    public async ValueTask DisposeAsync()
    {
        _admin?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
