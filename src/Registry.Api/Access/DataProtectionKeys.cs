using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Registry.Api.Access;

/// <summary>
/// Where the API keeps its data-protection keys (session cookies, OIDC state, antiforgery tokens): the registry's
/// database, so every API replica signs and reads with the same keys — a cookie one replica
/// issued opens on another, and a restart signs nobody out. ASP.NET Core's own database store needs Entity
/// Framework, which the project does not use; this is its <see cref="IXmlRepository"/> over the one data source.
/// </summary>
public sealed class DataProtectionKeys(NpgsqlDataSource dataSource) : IXmlRepository
{
    /// <summary>One application name for every replica: keys are isolated per application name.</summary>
    public const string ApplicationName = "registry-api";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var command = dataSource.CreateCommand("SELECT xml FROM data_protection_keys ORDER BY id");
        using var reader = command.ExecuteReader();
        var keys = new List<XElement>();
        while (reader.Read()) keys.Add(XElement.Parse(reader.GetString(0)));
        return keys;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var command = dataSource.CreateCommand("INSERT INTO data_protection_keys (friendly_name, xml) VALUES (@name, @xml)");
        command.Parameters.AddWithValue("name", friendlyName);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }
}

public static class DataProtectionSetup
{
    /// <summary>
    /// <c>DataProtection:Keys</c> = <c>database</c> (default: shared by the replicas) or <c>process</c> (ASP.NET Core's
    /// default store; for a host without the registry's database, e.g. tests of the web layer alone).
    /// </summary>
    public static IServiceCollection AddSharedDataProtection(this IServiceCollection services, IConfiguration? configuration = null)
    {
        services.AddDataProtection().SetApplicationName(DataProtectionKeys.ApplicationName);
        var store = configuration?["DataProtection:Keys"] ?? "database";
        if (store == "database")
            services.AddOptions<KeyManagementOptions>().Configure<NpgsqlDataSource>((o, db) => o.XmlRepository = new DataProtectionKeys(db));
        else if (store != "process")
            throw new InvalidOperationException($"DataProtection:Keys must be 'database' or 'process', got '{store}'.");
        return services;
    }
}
