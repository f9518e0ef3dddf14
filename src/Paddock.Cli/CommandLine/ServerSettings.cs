namespace Paddock.Cli.CommandLine;

/// <summary>
/// ASP.NET configuration switches given on the command line of a server-side command: <c>--Section:Key=value</c> or
/// <c>--Section:Key value</c> (any setting of appsettings.json, e.g. <c>--Paddock:Workers:Concurrency=2</c>), and the
/// host's own keys without a section (<c>--environment</c>, <c>--contentRoot</c>, ...). Their names are open-ended, so
/// no option definition can hold them: they are taken out before the command line is parsed and handed to the host's
/// configuration as they were written, while everything else is parsed by the command's definition.
/// A command that is not server-side refuses them like any unknown option.
/// </summary>
internal sealed class ServerSettings
{
    // Host settings without a section, as ASP.NET reads them; --urls is an option of its own (ServerOptions.Urls).
    private static readonly HashSet<string> HostKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "environment", "contentRoot", "applicationName", "AllowedHosts", "http_ports", "https_ports",
    };

    private ServerSettings(IReadOnlyList<string> switches, IReadOnlyList<string> names, string? problem)
    {
        Switches = switches;
        Names = names;
        Problem = problem;
    }

    /// <summary>Each setting as <c>--Key=value</c>, in the order given (the last of a key wins, as in ASP.NET).</summary>
    public IReadOnlyList<string> Switches { get; }

    /// <summary>The option names as written (<c>--Paddock:Workers:Concurrency</c>), for messages.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>A setting given without a value, said as a usage error; null when every one has its value.</summary>
    public string? Problem { get; }

    /// <summary>True when a host key without a section (<c>--environment</c>) is among them: only the server's own processes take those.</summary>
    public bool HasHostKeys => Names.Any(name => HostKeys.Contains(name[2..]));

    /// <summary>Splits <paramref name="args"/> into the settings and the rest; everything after <c>--</c> is left alone.</summary>
    public static (string[] Remaining, ServerSettings Settings) Extract(IReadOnlyList<string> args)
    {
        var rest = new List<string>();
        var switches = new List<string>();
        var names = new List<string>();
        string? problem = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                rest.AddRange(args.Skip(i));
                break;
            }
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[..equals] : arg;
            if (!IsSetting(name))
            {
                rest.Add(arg);
                continue;
            }
            names.Add(name);
            if (equals > 0) switches.Add(arg);
            // The next word is the value unless it is another option: "--Paddock:X --json" is two options.
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) switches.Add($"{name}={args[++i]}");
            else problem ??= $"{name} needs a value (--Section:Key=value or --Section:Key value)";
        }
        return (rest.ToArray(), new ServerSettings(switches, names, problem));
    }

    private static bool IsSetting(string name)
    {
        if (!name.StartsWith("--", StringComparison.Ordinal)) return false;
        var key = name[2..];
        return HostKeys.Contains(key) || (key.Contains(':', StringComparison.Ordinal) && key.Split(':').All(part => part.Length > 0));
    }
}
