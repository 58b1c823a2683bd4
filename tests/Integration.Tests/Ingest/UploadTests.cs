using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Registry.Extracts;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Integration.Tests.Ingest;

/// <summary>HTTP upload of extracts: agency-scoped keys, size limit, duplicates, and the same intake path as the inbox.</summary>
[Collection(ServersCollection.Name)]
public sealed class UploadTests(RegistryServers servers)
{
    private static readonly string Health = Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, "ssa-consultas"), "*.csv").Single();

    private static HttpRequestMessage Upload(string feed, string? key, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/feeds/{feed}/extracts?fileName=consultas.csv") { Content = new ByteArrayContent(body) };
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        return request;
    }

    [Fact]
    public async Task An_agency_uploads_its_extract_and_it_resolves_like_an_inbox_drop_and_a_resend_is_a_duplicate()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        using var workers = system.CreateWorkersClient();
        var body = await File.ReadAllBytesAsync(Health);

        using var first = await workers.SendAsync(Upload("ssa-consultas", "ssa-test-key", body));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var extract = (await system.WaitForExtractsAsync(1)).Single();
        Assert.Equal(ExtractStatus.Resolved, extract.Status);
        Assert.Equal(extract.RowsTotal, extract.RowsAccepted + extract.RowsRejected);
        Assert.Equal(extract.RowsAccepted, extract.RowsResolved);

        using var again = await workers.SendAsync(Upload("ssa-consultas", "ssa-test-key", body));
        var answer = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(answer.GetProperty("duplicate").GetBoolean());
        Assert.Equal(extract.Id, answer.GetProperty("extractId").GetGuid());
        Assert.Equal(2, (await system.WaitForExtractsAsync(1, receipts: 2)).Single().Receipts);
    }

    [Theory]
    [InlineData(null, "ssa-consultas", HttpStatusCode.Unauthorized)]
    [InlineData("not-a-key", "ssa-consultas", HttpStatusCode.Unauthorized)]
    [InlineData("dif-test-key", "ssa-consultas", HttpStatusCode.Forbidden)]
    [InlineData("ssa-test-key", "no-such-feed", HttpStatusCode.NotFound)]
    public async Task Uploads_without_the_feeds_own_agency_key_are_refused_and_change_nothing(string? key, string feed, HttpStatusCode expected)
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        using var workers = system.CreateWorkersClient();

        using var response = await workers.SendAsync(Upload(feed, key, await File.ReadAllBytesAsync(Health)));

        Assert.Equal(expected, response.StatusCode);
        Assert.Empty(await system.ExtractsAsync());
    }

    [Fact]
    public async Task An_extract_over_the_size_limit_is_refused_with_the_limit_and_nothing_is_kept()
    {
        await using var system = await RegistrySystem.StartAsync(servers);
        using var workers = system.CreateWorkersClient();
        var header = await File.ReadAllLinesAsync(Health);
        var big = System.Text.Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Repeat(header[1], 2000).Prepend(header[0])));

        using var response = await workers.SendAsync(Upload("ssa-consultas", "ssa-test-key", big));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("100,000 bytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await system.ExtractsAsync());
    }
}
