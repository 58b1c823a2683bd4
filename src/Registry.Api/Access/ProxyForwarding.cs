using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Registry.Api.Access;

/// <summary>
/// Behind a TLS-terminating proxy: the scheme, host and client address the proxy saw
/// (X-Forwarded-Proto/Host/For), believed only from the proxies and networks configured in
/// <c>Proxy:KnownProxies</c> (addresses) and <c>Proxy:KnownNetworks</c> (CIDR), loopback always.
/// With it the app knows a request came over https, so it issues Secure cookies, HSTS and https
/// redirect URIs, and rate limits count the real client, not the proxy.
/// </summary>
public static class ProxyForwarding
{
    public static IServiceCollection AddProxyForwarding(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = configuration.GetSection("Proxy:KnownProxies").Get<string[]>() ?? [];
        var networks = configuration.GetSection("Proxy:KnownNetworks").Get<string[]>() ?? [];
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            // The defaults already trust loopback (127.0.0.0/8, ::1); configured proxies are added to them.
            foreach (var proxy in proxies)
                o.KnownProxies.Add(IPAddress.TryParse(proxy, out var ip) ? ip
                    : throw new InvalidOperationException($"Proxy:KnownProxies holds '{proxy}', which is not an IP address (e.g. 10.0.0.5)."));
            foreach (var network in networks)
                o.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var net) ? net
                    : throw new InvalidOperationException($"Proxy:KnownNetworks holds '{network}', which is not a CIDR network (e.g. 10.0.0.0/8)."));
        });
        // No "Server: Kestrel": nothing to gain from telling a scanner what answers.
        services.Configure<KestrelServerOptions>(o => o.AddServerHeader = false);
        return services;
    }
}
