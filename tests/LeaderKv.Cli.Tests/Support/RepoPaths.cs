namespace LeaderKv.Cli.Tests.Support;

/// <summary>Files of the repository under test, found from the test's output folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string File(string relativePath) => Path.Combine(Root, relativePath);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "LeaderKv.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No LeaderKv.slnx above {AppContext.BaseDirectory}.");
    }
}
