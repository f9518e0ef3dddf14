using System.Text.Json.Nodes;
using Paddock.Cli.Remote;

namespace Paddock.Cli.Commands;

/// <summary>
/// <c>paddock config set server URL | set key KEY | unset NAME | show</c>: the config file the other commands fall back
/// to after flags and the environment. <c>show</c> tells which server and key a command would use, and from where.
/// </summary>
internal static class ConfigCommand
{
    private static readonly OptionSet Options = new(values: [], switches: []);

    public static Task<int> RunAsync(string[] args) => Invocation.RunAsync("config", args, Options, RunAsync);

    private static Task<int> RunAsync(Invocation invocation)
    {
        var words = invocation.Args.Positional;
        return Task.FromResult((words.FirstOrDefault(), words.Count) switch
        {
            ("set", 3) => Set(invocation, words[1], words[2]),
            ("unset", 2) => Set(invocation, words[1], null),
            ("show", 1) => Show(invocation),
            _ => throw new UsageException("config takes: set server URL | set key KEY | unset server|key | show"),
        });
    }

    private static int Set(Invocation invocation, string name, string? value)
    {
        if (!ConfigFile.Names.Contains(name)) throw new UsageException($"config has no setting '{name}'; it knows: {string.Join(", ", ConfigFile.Names)}");
        if (name == "server" && value is not null) value = Connection.ParseServer(value, "the command line").ToString().TrimEnd('/');
        if (value is not null && string.IsNullOrWhiteSpace(value)) throw new UsageException($"the {name} must not be empty; to remove it, run 'paddock config unset {name}'");
        var config = ConfigFile.Load();
        config.Set(name, value?.Trim());
        config.Save();
        invocation.Output.Note(value is null ? $"Removed {name} from {config.Path}." : $"Saved {name} in {config.Path} (readable only by you).");
        if (invocation.Output.Json) invocation.Output.Document(new JsonObject { ["path"] = config.Path, ["name"] = name, ["set"] = value is not null });
        return ExitCodes.Ok;
    }

    private static int Show(Invocation invocation)
    {
        var connection = invocation.Connection;
        var path = ConfigFile.DefaultPath();
        if (invocation.Output.Json)
        {
            invocation.Output.Document(new JsonObject
            {
                ["config_file"] = path,
                ["config_file_exists"] = File.Exists(path),
                ["server"] = connection.Server.ToString().TrimEnd('/'),
                ["server_source"] = connection.ServerSource,
                ["key"] = Mask(connection.Key),
                ["key_source"] = connection.Key is null ? null : connection.KeySource,
            });
            return ExitCodes.Ok;
        }
        Console.Out.WriteLine($"config file: {path}{(File.Exists(path) ? "" : " (not written yet)")}");
        Console.Out.WriteLine($"server:      {connection.Server.ToString().TrimEnd('/')}  (from {connection.ServerSource})");
        Console.Out.WriteLine(connection.Key is null ? "key:         none" : $"key:         {Mask(connection.Key)}  (from {connection.KeySource})");
        return ExitCodes.Ok;
    }

    /// <summary>Enough of a key to tell keys apart, never enough to use one.</summary>
    private static string? Mask(string? key) => key is null ? null : key.Length <= 10 ? "…" : key[..8] + "…";
}
