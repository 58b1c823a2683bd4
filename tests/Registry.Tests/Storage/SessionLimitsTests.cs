using Npgsql;
using Registry.Storage;

namespace Registry.Tests.Storage;

/// <summary>The bounds every host's connections carry (a frozen worker, a vanished server), unless the operator set them.</summary>
public sealed class SessionLimitsTests
{
    private const string Plain = "Host=db;Database=registry;Username=registry_workers";

    [Fact]
    public void A_workers_connection_gets_keepalives_and_idle_lock_and_statement_timeouts()
    {
        var settings = Applied(Plain, interactive: false);

        Assert.True(settings.TcpKeepAlive);
        Assert.Equal(30, settings.TcpKeepAliveTime);
        Assert.Contains("idle_in_transaction_session_timeout=60s", settings.Options, StringComparison.Ordinal);
        Assert.Contains("lock_timeout=120s", settings.Options, StringComparison.Ordinal);
        Assert.Contains("statement_timeout=10min", settings.Options, StringComparison.Ordinal);
        Assert.True(settings.CommandTimeout > 600, "the client waits longer than the server's own statement limit");
    }

    [Fact]
    public void The_APIs_connections_get_the_idle_limit_but_no_statement_timeout_of_the_workers()
    {
        var settings = Applied(Plain, interactive: true);

        Assert.Contains("idle_in_transaction_session_timeout=60s", settings.Options, StringComparison.Ordinal);
        Assert.DoesNotContain("statement_timeout", settings.Options, StringComparison.Ordinal);
        Assert.Equal(30, settings.CommandTimeout);
    }

    [Fact]
    public void What_the_connection_string_sets_is_kept()
    {
        var settings = Applied(Plain + ";Options=-c idle_in_transaction_session_timeout=5s -c lock_timeout=1s;Command Timeout=7;Tcp Keepalive=false", interactive: false);

        Assert.False(settings.TcpKeepAlive);
        Assert.Equal(7, settings.CommandTimeout);
        Assert.Contains("idle_in_transaction_session_timeout=5s", settings.Options, StringComparison.Ordinal);
        Assert.DoesNotContain("=60s", settings.Options, StringComparison.Ordinal);
        Assert.DoesNotContain("lock_timeout=120s", settings.Options, StringComparison.Ordinal);
    }

    private static NpgsqlConnectionStringBuilder Applied(string connectionString, bool interactive)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        RegistryStorage.ApplySessionLimits(settings, connectionString, interactive);
        return settings;
    }
}
