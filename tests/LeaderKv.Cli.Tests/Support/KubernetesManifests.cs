using YamlDotNet.RepresentationModel;

namespace LeaderKv.Cli.Tests.Support;

/// <summary>Every document of every YAML file in a folder, read with a real YAML parser, by kind and name.</summary>
internal sealed class KubernetesManifests
{
    private readonly List<YamlMappingNode> _documents = [];

    public KubernetesManifests(string directory)
    {
        foreach (var path in Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            var yaml = new YamlStream();
            using (var reader = File.OpenText(path))
            {
                yaml.Load(reader);
            }

            _documents.AddRange(yaml.Documents.Select(d => (YamlMappingNode)d.RootNode));
        }
    }

    public IEnumerable<YamlMappingNode> OfKind(string kind) =>
        _documents.Where(d => Text(d, "kind") == kind);

    public YamlMappingNode Single(string kind, string name) =>
        Assert.Single(OfKind(kind), d => Text(d, "metadata", "name") == name);

    /// <summary>The mapping or sequence at a path of keys, or null.</summary>
    public static YamlNode? At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var child))
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    public static string? Text(YamlNode node, params string[] path) => (At(node, path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlMappingNode> Items(YamlNode node, params string[] path) =>
        At(node, path) is YamlSequenceNode list ? list.Children.Cast<YamlMappingNode>() : [];

    public static Dictionary<string, string> Map(YamlNode node, params string[] path) =>
        At(node, path) is YamlMappingNode map
            ? map.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value ?? "")
            : [];
}
