namespace Registry.Api;

/// <summary>Names this assembly for the test host (WebApplicationFactory) — the entry point is Program.cs.</summary>
public sealed class RegistryApiMarker;
