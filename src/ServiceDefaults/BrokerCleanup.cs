using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Registry.ServiceDefaults;

/// <summary>
/// Removes the queues and exchanges whose names start with a prefix, through the RabbitMQ
/// management API. Test runs and benchmarks each use their own <c>Bus:QueuePrefix</c>; without this,
/// every run would leave its queues behind and the broker would recover thousands of them at each
/// start. The local services export the API's address as <c>RabbitMq__ManagementUri</c>
/// (http://user:password@host:port/); without it nothing is removed.
/// </summary>
public static class BrokerCleanup
{
    public static string? ManagementUri => Environment.GetEnvironmentVariable("RabbitMq__ManagementUri");

    /// <returns>How many queues and exchanges were removed; failures are written to <paramref name="log"/>, never thrown.</returns>
    public static async Task<int> DeleteByPrefixAsync(IReadOnlyCollection<string> prefixes, Action<string>? log = null, string? managementUri = null)
    {
        managementUri ??= ManagementUri;
        if (string.IsNullOrEmpty(managementUri) || prefixes.Count == 0 || prefixes.Any(string.IsNullOrEmpty)) return 0;
        var uri = new Uri(managementUri);
        using var http = new HttpClient { BaseAddress = new Uri(uri.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromSeconds(10) };
        if (uri.UserInfo.Length > 0)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo))));
        var removed = 0;
        try
        {
            foreach (var kind in new[] { "queues", "exchanges" })
            {
                using var list = await http.GetAsync($"/api/{kind}?columns=name,vhost");
                if (!list.IsSuccessStatusCode)
                {
                    log?.Invoke($"could not list {kind} at {uri.Host}:{uri.Port}: {(int)list.StatusCode}");
                    continue;
                }
                using var doc = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
                foreach (var item in doc.RootElement.EnumerateArray())
                {
                    var name = item.GetProperty("name").GetString() ?? "";
                    if (!prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))) continue;
                    var vhost = Uri.EscapeDataString(item.GetProperty("vhost").GetString() ?? "/");
                    using var deleted = await http.DeleteAsync($"/api/{kind}/{vhost}/{Uri.EscapeDataString(name)}");
                    if (deleted.IsSuccessStatusCode) removed++;
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            log?.Invoke($"could not remove broker objects through {uri.Host}:{uri.Port}: {ex.Message}");
        }
        return removed;
    }
}
