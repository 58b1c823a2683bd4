using Registry.Api.Access;
using Registry.Api.Extracts;
using Registry.Api.Households;
using Registry.Api.Lineage;
using Registry.Api.Operations;
using Registry.Api.Persons;
using Registry.Api.Review;
using Registry.Api.Search;
using Registry.Api.Summary;
using Registry.Api.Territory;
using Registry.Api.Web;
using Registry.Extracts;
using Registry.Feeds;
using Registry.Households;
using Registry.Review;
using Registry.ServiceDefaults;
using Registry.Storage;
using Scalar.AspNetCore;

namespace Registry.Api;

/// <summary>The API host's services and routes; one folder per feature holds its endpoints, queries and pages.</summary>
public static class RegistryApi
{
    public const string TelemetrySource = "Registry.Api";

    public static IServiceCollection AddRegistryApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRegistryStorage(configuration, interactive: true);
        services.AddSingleton(FeedCatalog.LoadFolder(configuration["Feeds:DefinitionsPath"] ?? "deploy/feeds"));
        services.AddSingleton<ExtractStore>();
        services.AddSingleton<Stewardship>();
        services.AddSingleton<ReviewQueries>();
        services.AddRegistryBus(configuration);
        services.AddRegistryAuth(configuration);
        services.AddSingleton<AccessLog>();
        services.AddSingleton<TerritoryScope>();
        services.AddSingleton<HouseholdQueries>();
        services.AddSingleton<PersonQueries>();
        services.AddSingleton<LineageQueries>();
        services.AddSingleton<RegistrySearch>();
        services.AddSingleton<Residence>();
        services.AddSingleton<TerritoryEvents>();
        services.AddOpenApi();
        services.AddProblemDetails();
        // Pages live beside the endpoints of their feature (Households/, Persons/, ...), hence the root "/".
        services.AddRazorPages(o => o.RootDirectory = "/");
        services.AddHttpContextAccessor();
        services.AddScoped<UiText>();
        services.AddHangfireDashboard(configuration);
        return services;
    }

    public static WebApplication MapRegistryApi(this WebApplication app)
    {
        AuthSetup.WarnIfDevIssuerInProduction(app);
        app.UseExceptionHandler();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        // The API description and its reference page hold no registry data: open, so integrators can read them.
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.DevIssuer.Enabled)
            DevelopmentIssuer.Map(app);
        var api = app.MapGroup("/api");
        api.MapSearch();
        api.MapHouseholds();
        api.MapPersons();
        api.MapReview();
        api.MapLineage();
        api.MapExtracts();
        api.MapSummary();
        api.MapTerritory();
        AccessLog.Map(api);
        app.MapUi();
        app.MapRazorPages();
        app.MapHangfireDashboard();
        return app;
    }
}
