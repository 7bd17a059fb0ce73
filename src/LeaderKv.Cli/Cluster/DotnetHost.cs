namespace LeaderKv.Cli.Cluster;

/// <summary>Finds the <c>dotnet</c> executable that runs node assemblies.</summary>
internal static class DotnetHost
{
    /// <summary>
    /// Prefers the host running this process (so nodes use the same runtime as the CLI), then the SDK's
    /// DOTNET_HOST_PATH, then DOTNET_ROOT, then whatever <c>dotnet</c> is on PATH.
    /// </summary>
    public static string Resolve()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        var hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath))
        {
            return hostPath;
        }

        var executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, executable)))
        {
            return Path.Combine(root, executable);
        }

        return executable;
    }
}
