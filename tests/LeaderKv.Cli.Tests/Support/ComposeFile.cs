using YamlDotNet.RepresentationModel;

namespace LeaderKv.Cli.Tests.Support;

/// <summary>The parts of docker-compose.yml the tests check, read with a real YAML parser.</summary>
internal sealed record ComposeService(
    string Name,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> Ports,
    string? ContainerName,
    string? BuildContext);

internal static class ComposeFile
{
    public static IReadOnlyDictionary<string, ComposeService> Load(string path)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents.Single().RootNode;
        var services = (YamlMappingNode)root.Children[new YamlScalarNode("services")];
        return services.Children.ToDictionary(
            s => ((YamlScalarNode)s.Key).Value!,
            s => ToService(((YamlScalarNode)s.Key).Value!, (YamlMappingNode)s.Value));
    }

    private static ComposeService ToService(string name, YamlMappingNode service)
    {
        return new ComposeService(
            name,
            Environment(Child(service, "environment")),
            Child(service, "ports") is YamlSequenceNode ports ? ports.Children.Select(Scalar).ToList() : [],
            Child(service, "container_name") is { } container ? Scalar(container) : null,
            Child(service, "build") switch
            {
                YamlScalarNode context => context.Value,
                YamlMappingNode build => Child(build, "context") is { } context ? Scalar(context) : null,
                _ => null,
            });
    }

    /// <summary>Compose allows both <c>- NAME=value</c> lists and <c>NAME: value</c> maps.</summary>
    private static Dictionary<string, string> Environment(YamlNode? node) => node switch
    {
        null => [],
        YamlSequenceNode list => list.Children.Select(Scalar).Select(item =>
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            return equals < 0 ? (item, "") : (item[..equals], item[(equals + 1)..]);
        }).ToDictionary(p => p.Item1, p => p.Item2),
        YamlMappingNode map => map.Children.ToDictionary(p => Scalar(p.Key), p => Scalar(p.Value)),
        _ => throw new InvalidDataException($"environment is neither a list nor a map: {node}"),
    };

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? "";
}
