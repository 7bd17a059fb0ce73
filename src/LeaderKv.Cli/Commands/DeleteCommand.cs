using System.CommandLine;
using LeaderKv.Cli.Client;
using LeaderKv.Client;

namespace LeaderKv.Cli.Commands;

/// <summary><c>leaderkv delete KEY [--if-index N]</c>: <c>DELETE /kv/{key}</c> through the leader, with an Idempotency-Key.</summary>
internal static class DeleteCommand
{
    public static Command Create(Func<IReadOnlyList<Uri>, LeaderKvClient> clients)
    {
        var key = new Argument<string>("KEY") { Description = "The key to delete." };
        var ifIndex = WriteCommandOptions.IfIndex("Delete only if the key is at this index (the index get or put printed).");
        var leader = CommonOptions.Leader();
        var nodes = CommonOptions.Nodes();
        var command = new Command("delete", "Delete a key through the leader; prints whether it existed.") { key, ifIndex, leader, nodes };
        command.SetAction(async (parse, token) =>
        {
            using var client = clients(CommonOptions.Given(parse, leader, nodes));
            var options = new WriteOptions(IfIndex: parse.GetValue(ifIndex));
            return await WriteCommandOptions.RunAsync(parse, () => client.DeleteAsync(parse.GetRequiredValue(key), options, token), Describe);
        });
        return command;
    }

    private static string Describe(WriteResult result) => WriteCommandOptions.Json(writer =>
    {
        writer.WriteString("outcome", "committed");
        writer.WriteNumber("index", result.Index);
        writer.WriteNumber("term", result.Term);
        if (result.Existed is { } existed)
        {
            writer.WriteBoolean("existed", existed);
        }

        writer.WriteString("leader", NodeAddress.Format(result.Leader));
        if (result.Replayed)
        {
            writer.WriteBoolean("replayed", true);
        }
    });
}
