using System.Reflection;
using LeaderKv.Cli.Tests.Support;
using LeaderKv.Node.Configuration;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;
using static LeaderKv.Cli.Tests.Support.KubernetesManifests;

namespace LeaderKv.Cli.Tests;

/// <summary>
/// No Kubernetes cluster runs on the build machines, so deploy/k8s is checked here as the compose
/// file is: parsed as YAML and held against what the node reads (NodeOptions' ConfigurationKeyName
/// attributes) and against itself (names, ports, selectors, the secret, the volume).
/// </summary>
public sealed class KubernetesManifestsTests
{
    private const int Nodes = 6;

    private static readonly HashSet<string> NodeVariables =
    [
        .. typeof(NodeOptions).GetProperties()
            .Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name)
            .OfType<string>(),
        "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS",
    ];

    private static readonly KubernetesManifests Manifests = new(RepoPaths.File("deploy/k8s"));

    private static YamlMappingNode StatefulSet => Manifests.Single("StatefulSet", "leaderkv");

    private static YamlMappingNode Container => Assert.Single(Items(StatefulSet, "spec", "template", "spec", "containers"));

    private static Dictionary<string, YamlMappingNode> Env =>
        Items(Container, "env").ToDictionary(e => Text(e, "name")!, e => e);

    private static string Value(string variable) => Text(Env[variable], "value") ?? throw new InvalidDataException($"{variable} has no literal value");

    private static int Port => int.Parse(Value("PORT"), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Every_variable_set_is_one_the_node_reads()
    {
        Assert.Superset(new HashSet<string> { "PEERS", "NODE_ID", "ELECTION_TIMEOUT", "HEARTBEAT_INTERVAL", "DATA_DIR", "CLUSTER_SECRET", "ROLE" }, NodeVariables);
        Assert.All(Env.Keys, name => Assert.True(NodeVariables.Contains(name), $"the StatefulSet sets {name}, which the node does not read"));
    }

    [Fact]
    public void Six_nodes_behind_a_headless_service_that_publishes_not_ready_pods()
    {
        var headless = Manifests.Single("Service", Text(StatefulSet, "spec", "serviceName")!);
        var podLabels = Map(StatefulSet, "spec", "template", "metadata", "labels");

        Assert.Equal(Nodes.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(StatefulSet, "spec", "replicas"));
        Assert.Equal(Map(StatefulSet, "spec", "selector", "matchLabels"), podLabels);
        Assert.Equal("None", Text(headless, "spec", "clusterIP"));
        Assert.Equal("true", Text(headless, "spec", "publishNotReadyAddresses"));
        Assert.All(Map(headless, "spec", "selector"), label => Assert.Equal(label.Value, podLabels[label.Key]));
    }

    [Fact]
    public void PEERS_names_every_pod_by_its_NODE_ID_at_its_stable_dns_name_and_port()
    {
        var statefulSet = Text(StatefulSet, "metadata", "name");
        var service = Text(StatefulSet, "spec", "serviceName");
        var peers = Value("PEERS").Split(',').Select(p => p.Split('=', 2)).ToList();

        Assert.Equal("metadata.name", Text(Env["NODE_ID"], "valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal(Enumerable.Range(0, Nodes).Select(i => $"{statefulSet}-{i}"), peers.Select(p => p[0]));
        Assert.All(peers, peer =>
        {
            var url = new Uri(peer[1]);
            Assert.Equal($"{peer[0]}.{service}", url.Host);
            Assert.Equal(Port, url.Port);
        });
    }

    [Fact]
    public void The_pod_with_ordinal_0_starts_as_the_first_terms_leader()
    {
        var script = string.Join('\n', ((YamlSequenceNode)At(Container, "args")!).Children.Select(a => ((YamlScalarNode)a).Value));

        Assert.DoesNotContain("ROLE", Env.Keys);
        Assert.Contains("ROLE=follower", script, StringComparison.Ordinal);
        Assert.Contains("if [ \"${NODE_ID##*-}\" = \"0\" ]; then ROLE=leader; fi", script, StringComparison.Ordinal);
        Assert.Contains("exec dotnet LeaderKv.Node.dll", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Ports_probes_and_services_agree()
    {
        var containerPort = Assert.Single(Items(Container, "ports"));
        var portName = Text(containerPort, "name");
        var clientService = Manifests.Single("Service", "leaderkv-client");

        Assert.Equal(Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(containerPort, "containerPort"));
        Assert.Equal("/health", Text(Container, "readinessProbe", "httpGet", "path"));
        Assert.Equal(portName, Text(Container, "readinessProbe", "httpGet", "port"));
        Assert.All(Items(clientService, "spec", "ports"), p => Assert.Equal(portName, Text(p, "targetPort")));
        Assert.Equal(Map(StatefulSet, "spec", "template", "metadata", "labels"), Map(clientService, "spec", "selector"));
    }

    [Fact]
    public void CLUSTER_SECRET_comes_from_the_secret_and_no_secret_value_is_committed()
    {
        var reference = At(Env["CLUSTER_SECRET"], "valueFrom", "secretKeyRef")!;
        var secret = Manifests.Single("Secret", Text(reference, "name")!);

        Assert.Equal("", Map(secret, "stringData")[Text(reference, "key")!]);
    }

    [Fact]
    public void DATA_DIR_is_on_each_pods_own_volume_claim()
    {
        var mount = Assert.Single(Items(Container, "volumeMounts"), m => Text(m, "mountPath") == Value("DATA_DIR"));
        var claim = Assert.Single(Items(StatefulSet, "spec", "volumeClaimTemplates"));

        Assert.Equal(Text(claim, "metadata", "name"), Text(mount, "name"));
        Assert.Equal("ReadWriteOnce", ((YamlScalarNode)((YamlSequenceNode)At(claim, "spec", "accessModes")!).Children[0]).Value);
    }

    [Fact]
    public void Kustomization_applies_every_manifest()
    {
        var kustomization = Assert.Single(Manifests.OfKind("Kustomization"));
        var listed = ((YamlSequenceNode)At(kustomization, "resources")!).Children.Select(r => ((YamlScalarNode)r).Value).ToHashSet();

        var files = Directory.GetFiles(RepoPaths.File("deploy/k8s"), "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml");
        Assert.All(files, file => Assert.Contains(file, listed));
    }
}
