using System.Net;
using Microsoft.Playwright;
using Registry.Api.Tests.Browser;
using Registry.Api.Tests.Infrastructure;

namespace Registry.Api.Tests.Search;

/// <summary>The search page sends its criteria in a POST body: a CURP typed there never reaches an address bar, a link, history or a proxy log.</summary>
[Collection(SeededCollection.Name)]
public sealed class SearchFormTests(SeededRegistry registry) : BrowserTest
{
    [Fact]
    public async Task A_CURP_searched_in_the_form_finds_the_family_and_appears_in_no_address()
    {
        var page = await BrowserFixture.SignInAsync(Browser, registry.System.ApiAddress!, "gestora.reynosa");
        var requested = new List<string>();
        page.Request += (_, request) => requested.Add(request.Url);

        await page.Locator("#curp").FillAsync(SeededRegistry.XimenaCurp);
        await page.Locator("#buscar").ClickAsync();
        await page.Locator("#households").WaitForAsync();

        await Assertions.Expect(page.Locator($"#households a[href='/hogares/{registry.ReynosaHousehold}']")).ToBeVisibleAsync();
        var hrefs = await page.Locator("a[href]").EvaluateAllAsync<string[]>("links => links.map(a => a.href)");
        Assert.NotEmpty(requested);
        Assert.All(requested.Append(page.Url).Concat(hrefs), url => Assert.DoesNotContain(SeededRegistry.XimenaCurp, url, StringComparison.OrdinalIgnoreCase));
        // The request that searched carried the CURP in its body, with the form's antiforgery token.
        Assert.Equal(1, await page.Locator("form.search input[name=__RequestVerificationToken]").CountAsync());
    }

    [Fact]
    public async Task A_search_form_posted_without_its_antiforgery_token_is_refused()
    {
        var client = await registry.ClientAsync("admin");
        using var response = await client.PostAsync(new Uri("/", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["Curp"] = SeededRegistry.XimenaCurp, ["Proposito"] = "Auditoría" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(registry.ReynosaHousehold.ToString(), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
