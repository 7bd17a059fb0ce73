using LeaderKv.Node;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Security;

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

try
{
    await NodeHost.Build(parsed.Settings, args).RunAsync();
}
catch (LeaderKv.Storage.State.ClusterFingerprintMismatchException mismatch)
{
    Console.Error.WriteLine($"leaderkv-node: refusing to start: {mismatch.Message}");
    return 2;
}
catch (InsecureReplicationException refusal)
{
    Console.Error.WriteLine($"leaderkv-node: refusing to start: {refusal.Message}");
    return 2;
}
catch (IOException bind) when (bind.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    Console.Error.WriteLine($"leaderkv-node: cannot listen: {bind.Message}");
    return 2;
}

return 0;
