using System.Globalization;
using System.Net;

namespace Registry.Benchmarks;

/// <summary>Command-line options and the repository root, shared by every benchmark command.</summary>
internal static class BenchArgs
{
    public static int Int(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && args[i + 1].Length > 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    public static string String(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && args[i + 1].Length > 0 ? args[i + 1] : fallback;
    }

    /// <summary>The folder holding Integration.sln, found upwards from the benchmark's binaries.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Integration.sln"))) return dir.FullName;
        throw new InvalidOperationException("Integration.sln not found");
    }

    /// <summary>
    /// Drops a benchmark's databases (a left-over one costs disk and autovacuum time in every later run).
    /// Clears this process's pools first: their idle connections would keep the database open.
    /// </summary>
    public static async Task DropDatabasesAsync(string adminConnectionString, IEnumerable<string> databases)
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var admin = new Npgsql.NpgsqlConnection(adminConnectionString);
        await admin.OpenAsync();
        foreach (var database in databases)
        {
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>A free loopback port for a host a benchmark starts.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
