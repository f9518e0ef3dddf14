using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Paddock.Cli.Remote;

namespace Paddock.Cli.CommandLine;

/// <summary>
/// How <c>--help</c> reads: System.CommandLine's own help (description, usage, arguments, options, sub-commands) built
/// from the definitions, then the command's <see cref="PaddockCommand.Notes"/>. The root's help (<c>paddock help</c>)
/// adds the usage of every command, where the server and key come from, and the exit codes.
/// System.CommandLine keeps its help builder to itself, so this runs its help action and writes after it.
/// </summary>
internal sealed class HelpLayout : SynchronousCommandLineAction
{
    private const string RootNotes = """
        Server and key: --server / --key, else $PADDOCK_URL / $PADDOCK_API_KEY or $OXEN_API_KEY, else
        ~/.config/paddock/config.json (paddock config), else http://127.0.0.1:8080 for the server.
        --json: stdout holds only JSON (errors too; events: one per line); progress and notes go to stderr.
        Options take "--name value" or "--name=value".

        serve, worker, keys and render read the server's settings: appsettings.json, PADDOCK__SECTION__KEY
        environment variables and --Section:Key=value arguments (e.g. --Paddock:Workers:Concurrency=2).

        Tab completion: paddock completion bash|zsh|powershell (see paddock completion --help).
        """;

    private readonly HelpAction _standard = new() { MaxWidth = Width() };

    // Help is shown whatever else the line holds ("generate --colour --help" still helps).
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        _standard.Invoke(parseResult);
        var output = parseResult.InvocationConfiguration.Output;
        var command = parseResult.CommandResult.Command;
        if (command is RootCommand)
        {
            output.WriteLine("Every command (paddock COMMAND --help shows its options):");
            foreach (var leaf in Leaves(command)) output.WriteLine("  " + UsageLine(leaf));
            output.WriteLine();
            output.WriteLine(RootNotes.TrimEnd());
            output.WriteLine();
            output.WriteLine("Exit codes:");
            foreach (var (code, meaning) in ExitCodes.Meanings) output.WriteLine($"  {code,-4} {meaning}");
        }
        else if (command is PaddockCommand { Notes: { } notes })
        {
            output.WriteLine(notes.TrimEnd());
        }
        return ExitCodes.Ok;
    }

    private static string UsageLine(Command command)
    {
        var words = new List<string> { "paddock", UsageProblems.Path(command) };
        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            var name = $"<{argument.HelpName ?? argument.Name}>";
            if (argument.Arity.MaximumNumberOfValues > 1) name += "...";
            words.Add(argument.Arity.MinimumNumberOfValues > 0 ? name : $"[{name}]");
        }
        foreach (var option in command.Options.Where(o => o.Required)) words.Add($"{option.Name} <{option.HelpName}>");
        words.Add("[options]");
        return string.Join(' ', words);
    }

    private static IEnumerable<Command> Leaves(Command command) =>
        command.Subcommands.Where(c => !c.Hidden && c.Name != "help")
            .SelectMany(c => c.Subcommands.Count == 0 ? [c] : Leaves(c));

    private static int Width()
    {
        if (Console.IsOutputRedirected) return 120;
        try
        {
            return Math.Max(60, Console.WindowWidth);
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return 120;
        }
    }
}
