using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using LeaderKv.Cli.Tests.Support;
using LeaderKv.Node.Configuration;
using Microsoft.Extensions.Configuration;

namespace LeaderKv.Cli.Tests;

/// <summary>
/// Docker cannot run on the build machines, so docker-compose.yml and the Dockerfile are checked here
/// against what the node reads: the seed's layout, consistent URLs and ports, only known variables.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    /// <summary>
    /// Every environment variable the node reads: read off the node's own options
    /// (src/LeaderKv.Node/Configuration/NodeOptions.cs, its ConfigurationKeyName attributes), so a
    /// renamed variable fails here; plus ASP.NET Core's own listening-address variables.
    /// </summary>
    private static readonly HashSet<string> NodeVariables =
    [
        .. typeof(NodeOptions).GetProperties()
            .Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name)
            .OfType<string>(),
        "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS",
    ];

    private static readonly IReadOnlyDictionary<string, ComposeService> Services = ComposeFile.Load(RepoPaths.File("docker-compose.yml"));
    private static readonly Dockerfile Image = Dockerfile.Load(RepoPaths.File("Dockerfile"));

    private static ComposeService Leader => Services["leader"];

    private static IEnumerable<ComposeService> Followers => Services.Values.Where(s => s.Name != "leader");

    [Fact]
    public void Compose_has_the_seeds_leader_and_five_followers()
    {
        Assert.Equal(["follower-1", "follower-2", "follower-3", "follower-4", "follower-5", "leader"], Services.Keys.Order());
        Assert.Equal("leader", Leader.Environment["ROLE"]);
        Assert.All(Followers, f => Assert.Equal("follower", f.Environment["ROLE"]));
        // The seed's tests.py addresses followers by these container names.
        Assert.All(Followers, f => Assert.Equal("kv-" + f.Name, f.ContainerName));
    }

    [Fact]
    public void Every_service_is_built_from_the_node_dockerfile()
    {
        Assert.All(Services.Values, s =>
        {
            Assert.NotNull(s.BuildContext);
            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, s.BuildContext!, "Dockerfile")), $"{s.Name}: no Dockerfile in {s.BuildContext}");
        });
    }

    [Fact]
    public void Leader_FOLLOWERS_names_each_follower_once_on_the_port_it_listens_on()
    {
        var urls = Leader.Environment["FOLLOWERS"].Split(',').Select(u => new Uri(u)).ToList();

        Assert.Equal(Followers.Select(f => f.Name).Order(), urls.Select(u => u.Host).Order());
        Assert.All(urls, url => Assert.Equal(ListeningPort(Services[url.Host]), url.Port));
    }

    [Fact]
    public void Followers_LEADER_URL_points_at_the_leader_service_and_port()
    {
        Assert.All(Followers, f =>
        {
            var leaderUrl = new Uri(f.Environment["LEADER_URL"]);
            Assert.Equal("leader", leaderUrl.Host);
            Assert.Equal(ListeningPort(Leader), leaderUrl.Port);
        });
    }

    [Fact]
    public void Leader_publishes_8000_to_its_listening_port()
    {
        Assert.Equal([$"8000:{ListeningPort(Leader)}"], Leader.Ports);
        Assert.All(Followers, f => Assert.Empty(f.Ports));
    }

    [Fact]
    public void Compose_uses_only_variables_the_node_reads()
    {
        Assert.Superset(new HashSet<string> { "ROLE", "FOLLOWERS", "WRITE_QUORUM", "MIN_DELAY", "MAX_DELAY", "PORT" }, NodeVariables);
        Assert.All(Services.Values, s => Assert.All(s.Environment.Keys, name =>
            Assert.True(NodeVariables.Contains(name), $"{s.Name} sets {name}, which the node does not read")));
        Assert.All(Image.Environment.Keys, name =>
            Assert.True(NodeVariables.Contains(name), $"the Dockerfile sets {name}, which the node does not read"));
    }

    [Fact]
    public void Every_node_gets_the_same_required_cluster_secret()
    {
        // Nodes listen on 0.0.0.0 in containers, so they refuse to start without a secret
        // (docs/security.md); compose must hand all six the same one and refuse to run without it.
        var secrets = Services.Values.Select(s => s.Environment.GetValueOrDefault("CLUSTER_SECRET")).Distinct().ToList();
        Assert.Single(secrets);
        Assert.StartsWith("${CLUSTER_SECRET:?", secrets[0]);
    }

    [Fact]
    public void Default_write_quorum_and_delays_are_valid_for_five_followers()
    {
        var quorum = QuorumDefault().Match(Leader.Environment["WRITE_QUORUM"]);
        Assert.True(quorum.Success, $"WRITE_QUORUM should read ${{WRITE_QUORUM:-N}}, not {Leader.Environment["WRITE_QUORUM"]}");
        Assert.InRange(int.Parse(quorum.Groups["default"].Value, System.Globalization.CultureInfo.InvariantCulture), 0, Followers.Count());
        Assert.True(int.Parse(Leader.Environment["MIN_DELAY"], System.Globalization.CultureInfo.InvariantCulture)
            <= int.Parse(Leader.Environment["MAX_DELAY"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Dockerfile_exposes_the_port_the_node_listens_on()
    {
        Assert.Equal("80", Image.Environment["PORT"]);
        Assert.Equal([80], Image.ExposedPorts);
        Assert.Equal(Image.Environment["PORT"], Image.Environment["ASPNETCORE_HTTP_PORTS"]);
    }

    /// <summary>The image builds only what it copies: every project the node depends on must be copied.</summary>
    [Fact]
    public void Dockerfile_copies_every_project_the_node_builds_from()
    {
        var projects = ProjectClosure(RepoPaths.File("src/LeaderKv.Node/LeaderKv.Node.csproj"));

        Assert.All(projects, project =>
        {
            var directory = Path.GetRelativePath(RepoPaths.Root, Path.GetDirectoryName(project)!).Replace('\\', '/') + "/";
            Assert.Contains(directory, Image.CopiedPaths);
        });
    }

    [Fact]
    public void Dockerignore_keeps_build_output_out_of_the_context()
    {
        var ignored = File.ReadAllLines(RepoPaths.File(".dockerignore")).Select(l => l.Trim()).ToList();

        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
    }

    /// <summary>The port a service's node listens on: its PORT, else the image's.</summary>
    private static int ListeningPort(ComposeService service) => int.Parse(
        service.Environment.TryGetValue("PORT", out var port) ? port : Image.Environment["PORT"],
        System.Globalization.CultureInfo.InvariantCulture);

    private static HashSet<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
            {
                continue;
            }

            foreach (var reference in XDocument.Load(next).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(next)!, include)));
            }
        }

        return seen;
    }

    [GeneratedRegex(@"^\$\{WRITE_QUORUM:-(?<default>\d+)\}$")]
    private static partial Regex QuorumDefault();
}
