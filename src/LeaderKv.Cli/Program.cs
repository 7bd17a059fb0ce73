return await LeaderKv.Cli.CliApp.RunAsync(args, Console.Out, Console.Error);
