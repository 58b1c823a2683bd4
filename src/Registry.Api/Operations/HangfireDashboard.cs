using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Npgsql;
using Registry.ServiceDefaults;

namespace Registry.Api.Operations;

/// <summary>
/// Hangfire's dashboard on the API host at <c>/hangfire</c>: the schedules and runs of the API
/// pulls and the matching model's training, read from the storage the workers write (schema
/// <c>Hangfire:SchemaName</c>). Read-only (no trigger, retry or delete buttons) and for signed-in
/// admins only (role <c>admin</c>, bearer token or the UI's cookie); pulls are triggered on the
/// workers host (<c>POST /feeds/{feed}/pull</c>). No job server runs here.
/// </summary>
public static class HangfireDashboard
{
    public const string Path = "/hangfire";

    public static IServiceCollection AddHangfireDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        var schema = configuration["Hangfire:SchemaName"] ?? "hangfire";
        // The workers create and migrate the schema; the dashboard only reads it, through the host's data source.
        services.AddSingleton<JobStorage>(sp => new PostgreSqlStorage(
            new DataSourceConnections(sp.GetRequiredService<NpgsqlDataSource>()),
            new PostgreSqlStorageOptions { SchemaName = schema, PrepareSchemaIfNecessary = false }));
        services.AddHangfire((sp, c) => c.UseLogProvider(HangfireLogs.For(sp.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        return services;
    }

    public static WebApplication MapHangfireDashboard(this WebApplication app)
    {
        app.UseHangfireDashboard(Path, new DashboardOptions
        {
            DashboardTitle = "Registry — jobs",
            IsReadOnlyFunc = _ => true,
            Authorization = [new AdminsOnly()],
            DisplayStorageConnectionString = false,
            AppPath = "/",
        });
        return app;
    }

    private sealed class DataSourceConnections(NpgsqlDataSource dataSource) : IConnectionFactory
    {
        public NpgsqlConnection GetOrCreateConnection() => dataSource.CreateConnection();
    }

    private sealed class AdminsOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Access.RegistryRoles.Admin);
    }
}
