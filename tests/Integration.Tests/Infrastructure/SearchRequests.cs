using System.Net.Http.Json;
using Registry.Api.Search;

namespace Registry.Integration.Tests.Infrastructure;

/// <summary>Searches as an integrator sends them: criteria in a JSON body (identifiers such as a CURP never go in a URL).</summary>
public static class SearchRequests
{
    public static Task<SearchPage<HouseholdHit>> SearchHouseholdsAsync(this HttpClient client, object criteria) =>
        PostAsync<HouseholdHit>(client, "/api/households/search", criteria);

    public static Task<SearchPage<PersonHit>> SearchPersonsAsync(this HttpClient client, object criteria) =>
        PostAsync<PersonHit>(client, "/api/persons/search", criteria);

    private static async Task<SearchPage<T>> PostAsync<T>(HttpClient client, string path, object criteria)
    {
        using var response = await client.PostAsJsonAsync(path, criteria);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<SearchPage<T>>())!;
    }
}
