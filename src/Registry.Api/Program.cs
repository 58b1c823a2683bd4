using Registry.Api;
using Registry.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("registry-api", RegistryApi.TelemetrySource);
builder.Services.AddRegistryApi(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRegistryApi();
app.Run();
