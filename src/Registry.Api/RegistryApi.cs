using Registry.Api.Access;
using Registry.Api.Dci;

using Registry.Api.Coverage;
using Registry.Api.Extracts;
using Registry.Api.Fhir;
using Registry.Api.Households;
using Registry.Api.Lineage;
using Registry.Api.Models;
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
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scalar.AspNetCore;

namespace Registry.Api;

/// <summary>The API host's services and routes; one folder per feature holds its endpoints, queries and pages.</summary>
public static class RegistryApi
{
    public const string TelemetrySource = "Registry.Api";

    public static IServiceCollection AddRegistryApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRegistryStorage(configuration, interactive: true);
        // The same nickname table as the workers (search and review read names through it).
        Registry.Normalization.NicknameTable.Configure(configuration);
        services.AddSingleton(FeedCatalog.LoadFolder(configuration["Feeds:DefinitionsPath"] ?? "deploy/feeds"));
        services.AddSingleton<ExtractStore>();
        // Stewards' actions write through their own role; every other query of this host only reads.
        services.AddStewardshipStorage(configuration);
        services.AddSingleton(sp => new Stewardship(sp.GetRequiredKeyedService<Npgsql.NpgsqlDataSource>(RegistryStorage.StewardshipDataSource)));
        services.AddSingleton<ReviewQueries>();
        services.AddSingleton<ModelQueries>();
        services.AddSharedDataProtection(configuration);
        services.AddRegistryAuth(configuration);
        services.AddProxyForwarding(configuration);
        services.AddRegistrySecurityHeaders();
        services.AddSingleton<AccessLog>();
        services.AddAccessAudit();
        services.AddSingleton<TerritoryScope>();
        services.AddSingleton<HouseholdQueries>();
        services.AddSingleton<PersonQueries>();
        services.AddSingleton<LineageQueries>();
        services.AddRegistrySearch(configuration);
        // Residence decisions are stewards' actions: they write through the stewardship role's pool.
        services.AddSingleton(sp => new Residence(sp.GetRequiredKeyedService<Npgsql.NpgsqlDataSource>(RegistryStorage.StewardshipDataSource)));
        services.AddSingleton<TerritoryEvents>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CoverageQueries>();
        services.AddFhir();
        services.AddDci();
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
        AuthSetup.GuardDevIssuer(app);
        // First: everything after it (cookies, HSTS, redirect URIs, rate-limit partitions) sees the client's scheme and address.
        app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStaticFiles();
        app.UseAuthentication();
        // After authentication, so a policy can count per user as well as per address.
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseAccessAudit();
        // The API description and its reference page hold no registry data: open, so integrators can read them.
        app.MapOpenApi().AllowAnonymous();
        // Its default fonts come from a third-party host: off, so the page stays within its CSP and tells nobody who reads it.
        app.MapScalarApiReference(o => o.DisableDefaultFonts()).AllowAnonymous();
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.DevIssuer.Enabled)
            DevelopmentIssuer.Map(app);
        var api = app.MapGroup("/api");
        api.MapSearch();
        api.MapHouseholds();
        api.MapPersons();
        api.MapReview();
        api.MapModels();
        api.MapLineage();
        api.MapExtracts();
        api.MapSummary();
        api.MapTerritory();
        api.MapCoverage();
        AccessLog.Map(api);
        // FHIR R4 (Patient/$match, Patient read) for health systems: reads of persons like /api/persons/{id}.
        app.MapFhir();
        // DCI Social Registry API v1.0.0 for partner systems (search, subscribe/notify, transaction status): reads like /api's search.
        app.MapDci();
        app.MapUi();
        app.MapRazorPages();
        app.MapHangfireDashboard();
        return app;
    }
}
