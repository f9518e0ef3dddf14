using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Paddock.Cli.CommandLine;

/// <summary>
/// The kinds of option <c>paddock</c> has, made the same way for every command. A value option takes
/// <c>--name value</c> or <c>--name=value</c>; given twice, the last one wins (so an alias with <c>--server A</c> can
/// still be pointed elsewhere with another <c>--server B</c>). A number that does not parse is refused while parsing,
/// with a message that names the option and what it takes.
/// </summary>
internal static class CliOption
{
    // Any number of occurrences; each takes one value (never "--opt a b").
    private static readonly ArgumentArity LastWins = new(1, 100_000);

    public static Option<string> Text(string name, string helpName, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        HelpName = helpName,
        Arity = LastWins,
        CustomParser = result => result.Tokens[^1].Value,
    };

    /// <summary>An option that may be given many times, each value kept (<c>-i a.png -i b.png</c>).</summary>
    public static Option<string[]> Repeated(string name, string helpName, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        HelpName = helpName,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>A switch: present or not, never with a value.</summary>
    public static Option<bool> Switch(string name, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        Arity = ArgumentArity.Zero,
    };

    /// <summary>A whole number; <paramref name="notANumber"/> says what the option takes when the value is not one.</summary>
    public static Option<long?> WholeNumber(string name, string helpName, string description, Func<string, string> notANumber, NumberStyles styles = NumberStyles.AllowLeadingSign, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        HelpName = helpName,
        Arity = LastWins,
        CustomParser = result =>
        {
            var text = result.Tokens[^1].Value;
            if (long.TryParse(text, styles, CultureInfo.InvariantCulture, out var n)) return n;
            result.AddError(notANumber(text));
            return null;
        },
    };

    /// <summary>An <c>int</c> option: a whole number that also fits in 32 bits (anything else is not a number here).</summary>
    public static Option<int?> Int(string name, string helpName, string description, Func<string, string> notANumber, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        HelpName = helpName,
        Arity = LastWins,
        CustomParser = result =>
        {
            var text = result.Tokens[^1].Value;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
            result.AddError(notANumber(text));
            return null;
        },
    };

    /// <summary>Makes the option one the command cannot run without (said so in its help and when it is missing).</summary>
    public static T Require<T>(this T option) where T : Option
    {
        option.Required = true;
        return option;
    }

    /// <summary>Adds suggestions for shell completion (the values are examples, not a limit: the server decides).</summary>
    public static T Suggest<T>(this T option, params string[] values) where T : Option
    {
        option.CompletionSources.Add(values);
        return option;
    }
}
