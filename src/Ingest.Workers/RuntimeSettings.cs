namespace Registry.Ingest;

/// <summary>
/// The garbage-collector settings the resolver is measured and tuned with (deploy/workers-runtime.env):
/// the server GC, DATAS off and a 512 MB gen0 budget a heap. The runtime reads them from the environment
/// at start, so a host started without that file runs slower and nothing else says so: this does, once, at start.
/// </summary>
public static class RuntimeSettings
{
    /// <summary>Which GC this process runs with, and what it lacks of the workers host's settings (empty when nothing).</summary>
    internal static (string Description, string[] Missing) Describe(bool serverGc, string? adaptationMode, string? gen0Size)
    {
        var missing = new List<string>();
        if (!serverGc) missing.Add("DOTNET_gcServer=1");
        if (adaptationMode != "0") missing.Add("DOTNET_GCDynamicAdaptationMode=0");
        if (string.IsNullOrEmpty(gen0Size)) missing.Add("DOTNET_GCgen0size");
        var description = (serverGc ? "server GC" : "workstation GC") +
                          $", DATAS {(adaptationMode == "0" ? "off" : "on")}, gen0 budget {(string.IsNullOrEmpty(gen0Size) ? "default" : gen0Size)}";
        return (description, [.. missing]);
    }

    /// <summary>This process's GC, and what it lacks of the workers host's settings (the resolve benchmark says it too).</summary>
    public static (string Description, string[] Missing) Current() => Describe(System.Runtime.GCSettings.IsServerGC,
        Environment.GetEnvironmentVariable("DOTNET_GCDynamicAdaptationMode"), Environment.GetEnvironmentVariable("DOTNET_GCgen0size"));

    public static void Log(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var (description, missing) = Current();
        if (missing.Length == 0) logger.LogInformation("Garbage collector: {Settings}, as deploy/workers-runtime.env sets", description);
        else logger.LogWarning("Garbage collector: {Settings}; without {Missing} from deploy/workers-runtime.env resolution runs slower (README, Configuration)",
            description, string.Join(", ", missing));
    }
}
