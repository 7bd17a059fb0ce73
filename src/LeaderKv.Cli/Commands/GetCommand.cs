using System.CommandLine;
using System.Net;
using LeaderKv.Cli.Client;

namespace LeaderKv.Cli.Commands;

/// <summary><c>leaderkv get KEY</c>: <c>GET /kv/{key}</c>, printing the value as JSON.</summary>
internal static class GetCommand
{
    public static Command Create(Func<NodeClient> clients)
    {
        var key = new Argument<string>("KEY") { Description = "The key to read." };
        var leader = CommonOptions.Leader();
        leader.Description = "Base URL of the node to read from (the leader, or a follower to see its copy).";
        var command = new Command("get", "Read one key and print its value as JSON.") { key, leader };
        command.SetAction(async (parse, token) =>
        {
            var name = parse.GetRequiredValue(key);
            var reply = await clients().GetKeyAsync(parse.GetRequiredValue(leader), name, token);
            if (reply.IsSuccess && reply.Body is not null)
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(reply.Body["value"]?.ToJsonString() ?? "null");
                return ExitCodes.Success;
            }

            var error = parse.InvocationConfiguration.Error;
            await error.WriteLineAsync(reply.Status == HttpStatusCode.NotFound
                ? $"error: key '{name}' not found"
                : $"error: read answered {(int)reply.Status}: {reply.Detail}");
            return ExitCodes.Failure;
        });
        return command;
    }
}
