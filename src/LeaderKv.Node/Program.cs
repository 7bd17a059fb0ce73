using LeaderKv.Node;
using LeaderKv.Node.Configuration;

var environment = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var parsed = NodeSettings.Parse(environment.Get<NodeOptions>() ?? new NodeOptions());
if (parsed.Settings is null)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"leaderkv-node: invalid configuration: {error}");
    }

    return 2;
}

await NodeHost.Build(parsed.Settings, args).RunAsync();
return 0;
