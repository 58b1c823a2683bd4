using System.Net;

namespace Registry.Api.Tests.Access;

/// <summary>What every response tells the browser: only the app's own code runs, no framing, no sniffing, no referrer, https sticks.</summary>
public sealed class SecurityHeadersTests(SecurityHeadersTests.Host fixture) : IClassFixture<SecurityHeadersTests.Host>
{
    /// <summary>One API host on a real loopback port (Kestrel, so its own response headers are seen too).</summary>
    public sealed class Host : IAsyncDisposable
    {
        public ApiHost Api { get; } = new(kestrel: true);

        public ValueTask DisposeAsync() => Api.DisposeAsync();
    }

    private readonly ApiHost _host = fixture.Api;

    private async Task<HttpResponseMessage> GetAsync(string path, bool behindTlsProxy = false)
    {
        using var client = _host.Browser();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (behindTlsProxy)
        {
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-Host", "registro.example");
        }
        return await client.SendAsync(request);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : "";

    [Theory]
    [InlineData("/login")]
    [InlineData("/")]
    [InlineData("/site.css")]
    [InlineData("/api/summary")]
    [InlineData("/health/live")]
    public async Task Pages_and_api_answers_carry_the_security_headers_and_no_server_banner(string path)
    {
        using var response = await GetAsync(path);
        var csp = Header(response, "Content-Security-Policy");
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("style-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.False(response.Headers.Contains("Server"), "Server: " + Header(response, "Server"));
        // Plain http (the demo on loopback): no HSTS, which would pin a host name to https it cannot serve.
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Over_https_through_a_proxy_the_browser_is_told_to_stay_on_https()
    {
        using var response = await GetAsync("/login", behindTlsProxy: true);
        Assert.Matches("max-age=[1-9][0-9]{6,}", Header(response, "Strict-Transport-Security"));
    }

    [Theory]
    [InlineData("/scalar")]
    [InlineData("/hangfire")]
    public async Task Only_the_third_party_pages_may_run_their_inline_code_and_they_cannot_be_framed_either(string path)
    {
        using var response = await GetAsync(path);
        var csp = Header(response, "Content-Security-Policy");
        Assert.Contains("script-src 'self' 'unsafe-inline'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
    }

    [Fact]
    public async Task No_page_of_the_app_carries_inline_styles_or_scripts()
    {
        var root = Path.Combine(Registry.Integration.Tests.Infrastructure.RepoPaths.Root, "src", "Registry.Api");
        var offenders = Directory.EnumerateFiles(root, "*.cshtml", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => System.Text.RegularExpressions.Regex.IsMatch(x.line, @"\sstyle=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+=\""", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
            .Select(x => $"{Path.GetRelativePath(root, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, "Inline code the CSP blocks (move it to wwwroot):\n" + string.Join("\n", offenders));
    }
}
