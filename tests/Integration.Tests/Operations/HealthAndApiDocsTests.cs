using System.Net;
using System.Text.Json;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Integration.Tests.Operations;

/// <summary>What an operator and an API consumer see first: health and the API description.</summary>
[Collection(ServersCollection.Name)]
public sealed class HealthAndApiDocsTests(RegistryServers servers)
{
    [Fact]
    public async Task Readiness_reports_PostgreSQL_and_RabbitMQ_healthy_and_the_API_does_not_depend_on_the_broker()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        using var workers = system.CreateWorkersClient();
        using var response = await workers.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        using var api = await system.Api.GetAsync("/health/ready");
        var apiBody = JsonDocument.Parse(await api.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("postgresql").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("rabbitmq").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("waiting").GetProperty("status").GetString());
        // The API reads and writes only the database: a broker outage or failover does not touch it.
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Equal("Healthy", apiBody.GetProperty("checks").GetProperty("postgresql").GetProperty("status").GetString());
        Assert.False(apiBody.GetProperty("checks").TryGetProperty("rabbitmq", out _));
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_household_and_extract_endpoints()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        var document = await system.Api.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/households/{id}", document, StringComparison.Ordinal);
        Assert.Contains("/api/extracts/{id}/rejected.csv", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_household_is_404_and_a_search_without_criteria_is_400()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        Assert.Equal(HttpStatusCode.NotFound, (await system.Api.GetAsync($"/api/households/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await system.Api.GetAsync("/api/households")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await system.Api.GetAsync("/api/households?name=" + new string('A', 500))).StatusCode);
    }
}
