using System.Net;
using Microsoft.AspNetCore.Http;

namespace Registry.ServiceDefaults;

/// <summary>
/// Operator surfaces (Hangfire dashboard, pull triggers) answer only requests from this machine
/// until roles exist. A missing remote address means an in-process caller (test server), which is
/// local by definition; Kestrel always sets it for network requests.
/// </summary>
public static class LocalRequests
{
    public static bool IsLocal(HttpContext context) => IsLocal(context.Connection.RemoteIpAddress, context.Connection.LocalIpAddress);

    public static bool IsLocal(IPAddress? remote, IPAddress? local) =>
        remote is null || IPAddress.IsLoopback(remote) || (local is not null && remote.Equals(local));
}
