namespace Registry.Integration.Tests.Infrastructure;

/// <summary>Locates the repository (for the shipped feed definitions and sample extracts).</summary>
public static class RepoPaths
{
    public static string Root { get; } = Find();

    public static string Feeds => Path.Combine(Root, "deploy", "feeds");
    public static string Samples => Path.Combine(Root, "deploy", "samples");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Integration.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Integration.sln not found above " + AppContext.BaseDirectory);
    }
}
