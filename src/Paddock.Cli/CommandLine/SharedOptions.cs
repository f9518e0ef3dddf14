using System.CommandLine;

namespace Paddock.Cli.CommandLine;

/// <summary>
/// The options every command that talks to a server takes. They are recursive: a command with sub-commands
/// (<c>queue list</c>) takes them before or after the sub-command's name.
/// </summary>
internal static class RemoteOptions
{
    public static readonly Option<string> Server = Recursive(CliOption.Text("--server", "URL",
        "The server (else $PADDOCK_URL, else the config file, else http://127.0.0.1:8080)"));

    public static readonly Option<string> Key = Recursive(CliOption.Text("--key", "KEY",
        "The API key (else $PADDOCK_API_KEY or $OXEN_API_KEY, else the config file)"));

    public static readonly Option<bool> Json = Recursive(CliOption.Switch("--json",
        "stdout holds only JSON: one document (events: one per line), errors included"));

    public static readonly Option<bool> Quiet = Recursive(CliOption.Switch("--quiet", "No notes or progress on stderr (errors still)", "-q"));

    public static void AddTo(Command command)
    {
        command.Add(Server);
        command.Add(Key);
        command.Add(Json);
        command.Add(Quiet);
    }

    internal static T Recursive<T>(T option) where T : Option
    {
        option.Recursive = true;
        return option;
    }
}

/// <summary>
/// The friendly names of server settings that <c>serve</c>, <c>worker</c> and <c>keys</c> take (so <c>keys</c> runs with
/// the very arguments its server runs with); any other setting goes as <c>--Section:Key=value</c>
/// (<see cref="ServerSettings"/>).
/// </summary>
internal static class ServerOptions
{
    public static readonly Option<string> Urls = RemoteOptions.Recursive(CliOption.Text("--urls", "URLS",
        "Where to listen, e.g. http://127.0.0.1:8080 (several separated by ';')"));

    public static readonly Option<string> DataDir = RemoteOptions.Recursive(CliOption.Text("--data-dir", "DIR",
        "Database, outputs and signing key (Paddock:DataDirectory; default .paddock)"));

    public static readonly Option<string> Concurrency = RemoteOptions.Recursive(CliOption.Text("--concurrency", "N",
        "Renders at once in this process (Paddock:Workers:Concurrency; 0: none)"));

    public static void AddTo(Command command)
    {
        command.Add(Urls);
        command.Add(DataDir);
        command.Add(Concurrency);
    }

    /// <summary>The configuration of a command that opens the stores but serves nothing (keys): the data directory and the settings given.</summary>
    public static string[] StoreConfiguration(ParseResult parse, ServerSettings settings) =>
        (parse.GetValue(DataDir) is { } directory ? [$"--Paddock:DataDirectory={directory}"] : Array.Empty<string>()).Concat(settings.Switches).ToArray();

    /// <summary>The host's configuration arguments: these options as configuration keys, then <paramref name="settings"/> as given.</summary>
    public static string[] Configuration(ParseResult parse, ServerSettings settings)
    {
        var configuration = new List<string>();
        if (parse.GetValue(Urls) is { } urls) configuration.Add($"--urls={urls}");
        if (parse.GetValue(DataDir) is { } directory) configuration.Add($"--Paddock:DataDirectory={directory}");
        if (parse.GetValue(Concurrency) is { } concurrency) configuration.Add($"--Paddock:Workers:Concurrency={concurrency}");
        configuration.AddRange(settings.Switches);
        return configuration.ToArray();
    }
}
