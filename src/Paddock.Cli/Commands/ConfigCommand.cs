using System.CommandLine;
using System.Text.Json.Nodes;
using Paddock.Cli.CommandLine;
using Paddock.Cli.Remote;

namespace Paddock.Cli.Commands;

/// <summary>
/// <c>paddock config set server URL | set key KEY | unset NAME | show</c>: the config file the other commands fall back
/// to after flags and the environment. <c>show</c> tells which server and key a command would use, and from where.
/// </summary>
internal static class ConfigCommand
{
    private const string Forms = "config takes: set server URL | set key KEY | unset server|key | show";

    public static PaddockCommand Create()
    {
        var name = new Argument<string>("NAME") { Description = "server or key" };
        name.CompletionSources.Add(ConfigFile.Names);
        var value = new Argument<string>("VALUE") { Description = "The server's URL, or the API key" };
        var set = new PaddockCommand("set", "Save the server or the key in the config file") { WordsMissing = Forms, WordsExtra = Forms };
        set.Add(name);
        set.Add(value);
        set.SetAction((parse, _) => Invocation.RunAsync(parse, i => Task.FromResult(Set(i, parse.GetRequiredValue(name), parse.GetRequiredValue(value)))));

        var unsetName = new Argument<string>("NAME") { Description = "server or key" };
        unsetName.CompletionSources.Add(ConfigFile.Names);
        var unset = new PaddockCommand("unset", "Remove the server or the key from the config file") { WordsMissing = Forms, WordsExtra = Forms };
        unset.Add(unsetName);
        unset.SetAction((parse, _) => Invocation.RunAsync(parse, i => Task.FromResult(Set(i, parse.GetRequiredValue(unsetName), null))));

        var show = new PaddockCommand("show", "Which server and key a command would use, and where each comes from") { WordsExtra = Forms };
        show.SetAction((parse, _) => Invocation.RunAsync(parse, i => Task.FromResult(Show(i))));

        var command = new PaddockCommand("config", "The config file the other commands fall back to (~/.config/paddock/config.json, owner-only)")
        {
            WordsMissing = Forms,
            WordsExtra = Forms,
            Notes = "A flag (--server, --key) wins over the environment ($PADDOCK_URL; $PADDOCK_API_KEY, else $OXEN_API_KEY), which wins over this file.",
        };
        command.Add(set);
        command.Add(unset);
        command.Add(show);
        RemoteOptions.AddTo(command);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, _ => throw new UsageException(Forms)));
        return command;
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
