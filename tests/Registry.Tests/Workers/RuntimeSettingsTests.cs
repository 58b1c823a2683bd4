using Registry.Ingest;

namespace Registry.Tests.Workers;

public class RuntimeSettingsTests
{
    [Fact]
    public void The_workers_hosts_settings_are_recognised_as_complete()
    {
        var (description, missing) = RuntimeSettings.Describe(serverGc: true, adaptationMode: "0", gen0Size: "0x20000000");
        Assert.Equal("server GC, DATAS off, gen0 budget 0x20000000", description);
        Assert.Empty(missing);
    }

    [Fact]
    public void A_host_started_without_the_env_file_is_told_what_it_lacks()
    {
        var (description, missing) = RuntimeSettings.Describe(serverGc: true, adaptationMode: null, gen0Size: null);
        Assert.Equal("server GC, DATAS on, gen0 budget default", description);
        Assert.Equal(["DOTNET_GCDynamicAdaptationMode=0", "DOTNET_GCgen0size"], missing);
        Assert.Contains("DOTNET_gcServer=1", RuntimeSettings.Describe(false, "0", "0x20000000").Missing);
    }
}
