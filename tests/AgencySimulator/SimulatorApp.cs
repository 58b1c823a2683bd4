using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Registry.AgencySimulator;

/// <summary>Settings of section <c>Simulator</c>.</summary>
public sealed class SimulatorOptions
{
    /// <summary>The key clients send in <c>X-Api-Key</c>.</summary>
    public string ApiKey { get; set; } = "sim-sne-key";

    /// <summary>Participation records served (people from the DIF and health samples first, then generated ones).</summary>
    public int Records { get; set; } = 150;

    /// <summary>Seed of the generated data: the same seed serves the same bytes.</summary>
    public int Seed { get; set; } = 2026;

    /// <summary>Faults active from the start (also switchable at run time with <c>POST /admin/faults</c>).</summary>
    public Faults Faults { get; set; } = new();
}

/// <summary>
/// The agency API simulator: Servicio Nacional de Empleo Tamaulipas' participations in training
/// (Bécate), job placement and self-employment programmes, as paged JSON.
/// <list type="bullet">
/// <item><c>GET /api/v1/participaciones?pageSize=&amp;pageToken=</c> — the whole roster by folio, page tokens.</item>
/// <item><c>GET /api/v1/participaciones/cambios?pageSize=&amp;updatedSince=</c> — records modified after a timestamp, oldest first.</item>
/// <item><c>GET|POST /admin/faults</c>, <c>POST /admin/records/{folio}/change</c>, <c>POST /admin/reset</c>, <c>GET /admin/stats</c> — no key needed.</item>
/// </list>
/// </summary>
public static class SimulatorApp
{
    public const string ApiKeyHeader = "X-Api-Key";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var options = builder.Configuration.GetSection("Simulator").Get<SimulatorOptions>() ?? new SimulatorOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new AgencyState(options));
        var app = builder.Build();

        app.MapGet("/api/v1/participaciones", (HttpContext http, AgencyState state, int? pageSize, string? pageToken, CancellationToken ct) =>
            state.ServeAsync(http, Paging.Token, pageSize, pageToken, ct));
        app.MapGet("/api/v1/participaciones/cambios", (HttpContext http, AgencyState state, int? pageSize, string? updatedSince, CancellationToken ct) =>
            state.ServeAsync(http, Paging.UpdatedSince, pageSize, updatedSince, ct));

        app.MapGet("/admin/faults", (AgencyState state) => state.Faults);
        app.MapPost("/admin/faults", (AgencyState state, Faults faults) =>
        {
            state.SetFaults(faults);
            return state.Faults;
        });
        app.MapPost("/admin/records/{folio}/change", (AgencyState state, string folio, string? status) =>
            state.Change(folio, status ?? "CONCLUIDO") is { } changed ? Results.Ok(changed) : Results.NotFound());
        app.MapPost("/admin/reset", (AgencyState state) =>
        {
            state.Reset();
            return Results.NoContent();
        });
        app.MapGet("/admin/stats", (AgencyState state) => state.Stats());
        app.MapGet("/", () => Results.Text(
            "Agency API simulator (SNE Tamaulipas). GET /api/v1/participaciones (X-Api-Key), /api/v1/participaciones/cambios, /admin/faults, /admin/stats\n"));
        return app;
    }

    /// <summary>The address the started app listens on (for <c>--urls http://127.0.0.1:0</c>).</summary>
    public static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
