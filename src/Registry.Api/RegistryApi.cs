using Registry.Api.Extracts;
using Registry.Api.Households;
using Registry.Api.Operations;
using Registry.Api.Persons;
using Registry.Api.Summary;
using Registry.Extracts;
using Registry.Feeds;
using Registry.ServiceDefaults;
using Registry.Storage;
using Scalar.AspNetCore;

namespace Registry.Api;

/// <summary>The API host's services and routes; one folder per feature holds its endpoints and queries.</summary>
public static class RegistryApi
{
    public const string TelemetrySource = "Registry.Api";

    public static IServiceCollection AddRegistryApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRegistryStorage(configuration);
        services.AddSingleton(FeedCatalog.LoadFolder(configuration["Feeds:DefinitionsPath"] ?? "deploy/feeds"));
        services.AddSingleton<ExtractStore>();
        services.AddRegistryBus(configuration);
        services.AddOpenApi();
        services.AddProblemDetails();
        services.AddHangfireDashboard(configuration);
        return services;
    }

    public static WebApplication MapRegistryApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapGet("/", () => Results.Redirect("/scalar")).ExcludeFromDescription();
        var api = app.MapGroup("/api");
        api.MapHouseholds();
        api.MapPersons();
        api.MapExtracts();
        api.MapSummary();
        app.MapHangfireDashboard();
        return app;
    }
}
