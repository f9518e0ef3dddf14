using Paddock.Cli.Commands;

// The `paddock` command. `serve` hosts the server in this process (`worker` only its workers); `keys` manages API
// keys in the server's own database (run it with the server's settings). The other commands talk to
// a server (this one or any with the same API) through the SDK.
return args.FirstOrDefault() switch
{
    "serve" or "worker" => await ServeCommand.RunAsync(args[0], args[1..]),
    "keys" => await KeysCommand.RunAsync(args[1..]),
    "config" => await ConfigCommand.RunAsync(args[1..]),
    "models" => await ModelsCommand.RunAsync(args[1..]),
    "generate" => await GenerateCommand.RunAsync(args[1..]),
    "queue" => await QueueCommand.RunAsync(args[1..]),
    "events" => await EventsCommand.RunAsync(args[1..]),
    "upload" => await UploadCommand.RunAsync(args[1..]),
    "download" => await DownloadCommand.RunAsync(args[1..]),
    "render" => await RenderCommand.RunAsync(args[1..]),
    null or "help" or "--help" or "-h" => Usage.Print(),
    var other => Usage.Fail($"unknown command '{other}'"),
};
