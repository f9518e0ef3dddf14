using Paddock.Cli.CommandLine;

// The `paddock` command. `serve` hosts the server in this process (`worker` only its workers); `keys` manages API
// keys in the server's own database (run it with the server's settings); `render` renders one request here. The other
// commands talk to a server (this one or any with the same API) through the SDK. Every command is defined once, in
// Commands/, on System.CommandLine: the parser, --help and the shell completions all read those definitions.
return await PaddockCommandLine.RunAsync(args);
