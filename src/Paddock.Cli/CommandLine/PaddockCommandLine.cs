using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Paddock.Cli.Commands;
using Paddock.Cli.Remote;

namespace Paddock.Cli.CommandLine;

/// <summary>
/// The whole <c>paddock</c> command line, on System.CommandLine: one tree of command definitions that the parser, every
/// command's <c>--help</c> and the shell completions all read. A line that does not parse is one sentence on stderr and
/// exit code 2 (<see cref="UsageProblems"/>); one that does runs its command's action, whose exit code is the process's.
/// </summary>
internal static class PaddockCommandLine
{
    private static readonly ParserConfiguration Parsing = new()
    {
        // "-iq" is not "-i -q", and "@file" is a file name or a prompt, not a response file to expand.
        EnablePosixBundling = false,
        ResponseFileTokenReplacer = null,
    };

    private static readonly InvocationConfiguration Running = new()
    {
        // Commands decide what Ctrl-C means (generate asks whether to cancel; serve stops gracefully), so the parser
        // must neither cancel them nor end the process after a timeout.
        ProcessTerminationTimeout = null,
        // A bug shows its stack trace rather than an exit code that means something else.
        EnableDefaultExceptionHandler = false,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var (rest, settings) = ServerSettings.Extract(args);
        var root = Build(settings);
        var parse = root.Parse(rest, Parsing);

        // Help, --version and completions run whatever else the line holds; a command runs only when all of it is right.
        var runsCommand = parse.Action is ParseErrorAction || ReferenceEquals(parse.Action, parse.CommandResult.Command.Action);
        if (runsCommand && UsageProblems.Find(parse, rest, settings) is { } problem)
        {
            // Until the arguments parse, --json is honoured if it is there at all, so a script still gets JSON for a usage error.
            var json = rest.TakeWhile(a => a != "--").Contains(RemoteOptions.Json.Name);
            return Invocation.Report(new UsageException(problem), new Output(json, quiet: false), connection: null);
        }
        return await parse.InvokeAsync(Running);
    }

    private static RootCommand Build(ServerSettings settings)
    {
        var root = new RootCommand("paddock — a self-hosted reference-to-video server, and a client for any server with its API")
        {
            HelpName = "paddock",
        };
        foreach (var command in new Command[]
                 {
                     ServeCommand.CreateServe(settings), ServeCommand.CreateWorker(settings), KeysCommand.Create(settings), RenderCommand.Create(settings),
                     ConfigCommand.Create(), ModelsCommand.Create(), GenerateCommand.Create(), QueueCommand.Create(), EventsCommand.Create(),
                     UploadCommand.Create(), FilesCommand.Create(), DownloadCommand.Create(), WebhooksCommand.Create(), UsageCommand.Create(), AdminCommand.Create(), CompletionCommand.Create(),
                 })
            root.Add(command);

        // --help and -h only: "/?" and "-?" mean nothing on Linux, and show up in every completion.
        var help = new HelpOption("--help", "-h") { Action = new HelpLayout() };
        foreach (var existing in root.Options.OfType<HelpOption>().ToList()) root.Options.Remove(existing);
        root.Options.Add(help);

        root.Add(HelpCommand(root));
        root.SetAction(parse => Help(root, parse, []));
        return root;
    }

    /// <summary><c>paddock help [COMMAND ...]</c>: the same help as <c>paddock COMMAND --help</c>.</summary>
    private static Command HelpCommand(RootCommand root)
    {
        var words = new Argument<string[]>("COMMAND") { HelpName = "COMMAND", Description = "A command, e.g. generate or queue list", Arity = ArgumentArity.ZeroOrMore };
        words.CompletionSources.Add(_ => root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
        var command = new PaddockCommand("help", "Show the help of paddock or of one command (as COMMAND --help does)");
        command.Add(words);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(words) ?? [];
            Command target = root;
            foreach (var word in path)
            {
                if (target.Subcommands.FirstOrDefault(c => c.Name == word) is not { } next)
                    return Invocation.Report(new UsageException($"unknown command '{word}'"), new Output(json: false, quiet: false), connection: null);
                target = next;
            }
            return Help(root, parse, path);
        });
        return command;
    }

    /// <summary>The help of the command at <paramref name="path"/>: what <c>paddock PATH --help</c> prints, through the same action.</summary>
    private static int Help(RootCommand root, ParseResult parse, IReadOnlyList<string> path) =>
        root.Parse([.. path, "--help"], Parsing).Invoke(new InvocationConfiguration
        {
            Output = parse.InvocationConfiguration.Output,
            Error = parse.InvocationConfiguration.Error,
        });
}
