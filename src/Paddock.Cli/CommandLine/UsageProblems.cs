using System.CommandLine;
using System.CommandLine.Parsing;

namespace Paddock.Cli.CommandLine;

/// <summary>
/// Turns what the parser found wrong with a command line into the one sentence a person needs: which option is
/// unknown (and where it would belong), which one lacks its value, which word is missing or one too many. Read from
/// the parse result's structure — which symbol failed and how — never from the parser's English.
/// </summary>
internal static class UsageProblems
{
    public const string SettingsHint = "server settings go as --Section:Key=value, e.g. --Paddock:Workers:Concurrency=2";

    /// <summary>The first problem with <paramref name="parse"/>, or null when the command may run.</summary>
    /// <param name="parse">The parse of <paramref name="args"/>.</param>
    /// <param name="args">The arguments that were parsed (the server settings already taken out).</param>
    /// <param name="settings">The server settings taken out of the command line.</param>
    public static string? Find(ParseResult parse, IReadOnlyList<string> args, ServerSettings settings)
    {
        var command = parse.CommandResult.Command;
        var top = TopLevel(parse.CommandResult);

        // An option nobody defines, whether the parser left it over or a command's word swallowed it.
        if (UnknownOptions(parse).FirstOrDefault() is { } unknown) return NoSuchOption(command, top, unknown);
        if (settings.Names.Count > 0 && !TakesSettings(parse.CommandResult, settings)) return NoSuchOption(command, top, settings.Names[0]);
        if (settings.Problem is not null) return settings.Problem;
        if (parse.Errors.Count == 0) return null;

        if (SwitchWithValue(parse, args) is { } name) return $"{name} takes no value";
        foreach (var error in parse.Errors)
        {
            switch (error.SymbolResult)
            {
                case OptionResult { IdentifierToken: { } given, Tokens.Count: 0 }:
                    return $"{given.Value} needs a value";
                case OptionResult { IdentifierToken: null } missing:
                    return $"{Path(parse.CommandResult)} needs {missing.Option.Name} {missing.Option.HelpName}: {Lower(missing.Option.Description)}";
                case ArgumentResult { Tokens.Count: 0 } argument when argument.Parent is CommandResult:
                    return (command as PaddockCommand)?.WordsMissing ?? $"{Path(parse.CommandResult)} needs {argument.Argument.HelpName ?? argument.Argument.Name}";
            }
        }
        if (parse.UnmatchedTokens.Count > 0)
        {
            var word = parse.UnmatchedTokens[0];
            if (command is RootCommand) return $"unknown command '{word}'";
            return command is PaddockCommand { WordsExtra: { } extra }
                ? string.Format(System.Globalization.CultureInfo.InvariantCulture, extra, word)
                : $"{Path(parse.CommandResult)} does not take '{word}'";
        }
        // What is left comes from the options' own parsers (a number that is not one), which say it in full.
        return parse.Errors[0].Message;
    }

    /// <summary>
    /// "keys has no option --colour": named by its top-level command when none of that command's forms has it, and by
    /// the form used when another form has it ("keys list has no option --namespace; it goes with 'keys create'").
    /// </summary>
    private static string NoSuchOption(Command command, Command top, string option)
    {
        var name = option.Split('=', 2)[0];
        var where = Commands(top).FirstOrDefault(c => c.Options.Any(o => o.Name == name || o.Aliases.Contains(name)));
        if (where is not null) return $"{Path(command)} has no option {name}; it goes with '{Path(where)}'";
        var message = $"{(top is RootCommand ? "paddock" : top.Name)} has no option {name}";
        return top is PaddockCommand { TakesServerSettings: true } ? $"{message} ({SettingsHint})" : message;
    }

    /// <summary>
    /// Words that look like options (<c>--colour</c>, <c>-x</c>) but are no option of the command: those the parser left
    /// over, and those a command's argument took as a value (<c>paddock generate --colour red "a fox"</c> would otherwise
    /// be a prompt). A word after <c>--</c> is a word whatever it looks like; a negative number is a value.
    /// </summary>
    private static IEnumerable<string> UnknownOptions(ParseResult parse)
    {
        var afterDoubleDash = parse.Tokens.SkipWhile(t => t.Type != TokenType.DoubleDash).ToList();
        var takenByArguments = Results(parse.RootCommandResult).OfType<ArgumentResult>()
            .Where(a => a.Parent is CommandResult)
            .SelectMany(a => a.Tokens);
        return parse.UnmatchedTokens.Concat(takenByArguments.Where(t => !afterDoubleDash.Any(d => ReferenceEquals(d, t))).Select(t => t.Value))
            .Where(LooksLikeOption);
    }

    private static bool LooksLikeOption(string word) =>
        word.Length > 1 && word[0] == '-' && word != "--" && (word[1] == '-' || char.IsLetter(word[1]));

    /// <summary>A switch given as <c>--json=value</c>: the parser leaves the value over, which would read as a stray word.</summary>
    private static string? SwitchWithValue(ParseResult parse, IReadOnlyList<string> args)
    {
        var switches = Results(parse.RootCommandResult).OfType<OptionResult>()
            .Where(o => o.Option.Arity.MaximumNumberOfValues == 0)
            .SelectMany(o => o.Option.Aliases.Append(o.Option.Name))
            .ToHashSet(StringComparer.Ordinal);
        return args.TakeWhile(a => a != "--")
            .Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal))
            .Select(a => a.Split('=', 2)[0])
            .FirstOrDefault(switches.Contains);
    }

    private static bool TakesSettings(CommandResult result, ServerSettings settings)
    {
        var command = TopLevel(result) as PaddockCommand;
        return command is { TakesServerSettings: true } && (command.TakesHostSettings || !settings.HasHostKeys);
    }

    /// <summary>The command's path without the root: "keys create".</summary>
    public static string Path(Command command) =>
        command.Parents.OfType<Command>().FirstOrDefault() is { } parent and not RootCommand ? $"{Path(parent)} {command.Name}" : command.Name;

    private static string Path(CommandResult result) => result.Command is RootCommand ? "paddock" : Path(result.Command);

    /// <summary>The command right under the root that <paramref name="result"/> is part of (the root for none).</summary>
    private static Command TopLevel(CommandResult result)
    {
        var current = result;
        while (current.Parent is CommandResult parent && parent.Command is not RootCommand) current = parent;
        return current.Command;
    }

    private static IEnumerable<Command> Commands(Command command) =>
        new[] { command }.Concat(command.Subcommands.SelectMany(Commands));

    private static IEnumerable<SymbolResult> Results(CommandResult command) =>
        command.Children.SelectMany(child => child is CommandResult sub ? Results(sub).Prepend(sub) : [child]);

    private static string Lower(string? text) =>
        string.IsNullOrEmpty(text) ? "" : char.ToLowerInvariant(text[0]) + text[1..];
}
