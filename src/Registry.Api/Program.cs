using Microsoft.Extensions.Diagnostics.HealthChecks;
using Registry.Api;
using Registry.Api.Access;
using Registry.ServiceDefaults;

// The UI's static files ship next to the assembly, so the host serves them whatever its working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
});
// `dotnet Registry.Api.dll verify-access-log [--expect SEQ:HASH]`: check the access log's hash chain and exit.
if (args.Contains("verify-access-log")) return await AccessLogVerifier.RunAsync(args, builder.Configuration, Console.Out);

builder.AddServiceDefaults("registry-api", HealthStatus.Unhealthy, RegistryApi.TelemetrySource);
builder.Services.AddRegistryApi(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRegistryApi();
app.Run();
return 0;
