namespace Paddock.Cli.Remote;

/// <summary>A mistake in how the command was called: exit code 2 with the message and a pointer to <c>paddock help</c>.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The options one command accepts. Names are long (<c>--image</c>) with optional short aliases (<c>-i</c>);
/// value options may repeat, switches take no value. Every command that talks to a server also takes
/// <see cref="Common"/>.
/// </summary>
internal sealed class OptionSet
{
    public static readonly string[] CommonValues = ["--server", "--key"];
    public static readonly string[] CommonSwitches = ["--json", "--quiet|-q", "--help|-h"];

    private readonly Dictionary<string, string> _canonical = new(StringComparer.Ordinal);
    private readonly HashSet<string> _takesValue = new(StringComparer.Ordinal);

    public OptionSet(IEnumerable<string> values, IEnumerable<string> switches)
    {
        foreach (var spec in values.Concat(CommonValues)) Add(spec, takesValue: true);
        foreach (var spec in switches.Concat(CommonSwitches)) Add(spec, takesValue: false);
    }

    private void Add(string spec, bool takesValue)
    {
        var names = spec.Split('|');
        foreach (var name in names) _canonical[name] = names[0];
        if (takesValue) _takesValue.Add(names[0]);
    }

    /// <summary>Splits the arguments into words and options; an unknown option or a missing value is a <see cref="UsageException"/>.</summary>
    public Arguments Parse(string command, IReadOnlyList<string> args)
    {
        var positional = new List<string>();
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var switches = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                positional.AddRange(args.Skip(i + 1));
                break;
            }
            if (arg.Length < 2 || arg[0] != '-' || (arg[1] != '-' && !char.IsLetter(arg[1])))
            {
                positional.Add(arg); // a word, "-" or a negative number
                continue;
            }
            var equals = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=', StringComparison.Ordinal) : -1;
            var name = equals > 0 ? arg[..equals] : arg;
            if (!_canonical.TryGetValue(name, out var canonical))
                throw new UsageException($"{command} has no option {name}");
            if (!_takesValue.Contains(canonical))
            {
                if (equals > 0) throw new UsageException($"{name} takes no value");
                switches.Add(canonical);
                continue;
            }
            string value;
            if (equals > 0) value = arg[(equals + 1)..];
            else if (i + 1 < args.Count) value = args[++i];
            else throw new UsageException($"{name} needs a value");
            if (!values.TryGetValue(canonical, out var list)) values[canonical] = list = [];
            list.Add(value);
        }
        return new Arguments(command, positional, values, switches);
    }
}

/// <summary>One command's parsed arguments.</summary>
internal sealed class Arguments(string command, List<string> positional, Dictionary<string, List<string>> values, HashSet<string> switches)
{
    public string Command { get; } = command;

    public IReadOnlyList<string> Positional { get; } = positional;

    public bool Json => Has("--json");

    public bool Quiet => Has("--quiet");

    public bool Help => Has("--help");

    public bool Has(string name) => switches.Contains(name);

    /// <summary>The option's value (the last one when it was given more than once), or null.</summary>
    public string? Value(string name) => values.TryGetValue(name, out var list) ? list[^1] : null;

    public IReadOnlyList<string> Values(string name) => values.TryGetValue(name, out var list) ? list : [];

    public int? Int(string name, int min, int max)
    {
        if (Value(name) is not { } text) return null;
        if (!int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n))
            throw new UsageException($"{name} must be a whole number, not '{text}'");
        if (n < min || n > max) throw new UsageException($"{name} must be between {min} and {max}, not {n}");
        return n;
    }

    /// <summary>The command's words, exactly <paramref name="count"/> of them, or a usage error that says what is expected.</summary>
    public IReadOnlyList<string> Words(int count, string expected)
    {
        if (Positional.Count != count) throw new UsageException($"{Command} takes {expected}");
        return Positional;
    }
}
