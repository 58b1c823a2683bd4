using Registry.Api;
using Registry.ServiceDefaults;

// The UI's static files ship next to the assembly, so the host serves them whatever its working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
});
builder.AddServiceDefaults("registry-api", RegistryApi.TelemetrySource);
builder.Services.AddRegistryApi(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRegistryApi();
app.Run();
