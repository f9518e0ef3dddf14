using Paddock.Cli.Commands;

// The `paddock` command. `serve` hosts the server in this process; `keys` manages API keys in the
// server's own database (run it where the server's data directory is).
return args.FirstOrDefault() switch
{
    "serve" => await ServeCommand.RunAsync(args[1..]),
    "keys" => await KeysCommand.RunAsync(args[1..]),
    null or "help" or "--help" or "-h" => Usage.Print(),
    var other => Usage.Fail($"unknown command '{other}'"),
};
