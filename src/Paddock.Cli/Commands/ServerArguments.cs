using Paddock.Cli.Remote;

namespace Paddock.Cli.Commands;

/// <summary>
/// The arguments of the commands that run on the server's side (<c>serve</c>, <c>keys</c>): the command's own options,
/// the friendly server flags (<c>--data-dir</c>, <c>--concurrency</c>) turned into configuration keys, and ASP.NET
/// configuration switches (<c>--urls</c>, <c>--Section:Key=value</c>) passed through. Every option takes
/// <c>--name value</c> or <c>--name=value</c>; an option that is none of these is a <see cref="UsageException"/>, so a
/// typo never leaves the command on the default data directory.
/// </summary>
internal static class ServerArguments
{
    private static readonly Dictionary<string, string> Friendly = new(StringComparer.Ordinal)
    {
        ["--data-dir"] = "Paddock:DataDirectory",
        ["--concurrency"] = "Paddock:Workers:Concurrency",
    };

    // Host settings without a section; every other configuration key is Section:Key.
    private static readonly HashSet<string> HostKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "urls", "environment", "contentRoot", "applicationName", "AllowedHosts", "http_ports", "https_ports",
    };

    /// <summary>Splits <paramref name="args"/>. <paramref name="values"/> and <paramref name="switches"/> are the command's own options (<c>--long|-s</c>).</summary>
    public static ServerCommandArguments Parse(string command, IReadOnlyList<string> args, string[] values, string[] switches)
    {
        var canonical = new Dictionary<string, string>(StringComparer.Ordinal);
        var takesValue = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in values.Concat(switches))
        {
            var names = spec.Split('|');
            foreach (var name in names) canonical[name] = names[0];
            if (values.Contains(spec)) takesValue.Add(names[0]);
        }

        var words = new List<string>();
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        var set = new HashSet<string>(StringComparer.Ordinal);
        var configuration = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                words.Add(arg);
                continue;
            }
            var equals = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=', StringComparison.Ordinal) : -1;
            var name = equals > 0 ? arg[..equals] : arg;
            string Value()
            {
                if (equals > 0) return arg[(equals + 1)..];
                // The next word is the value unless it is another option: "--json --data-dir x" is two options.
                if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) return args[++i];
                throw new UsageException($"{name} needs a value");
            }

            if (canonical.TryGetValue(name, out var known))
            {
                if (takesValue.Contains(known)) own[known] = Value();
                else if (equals > 0) throw new UsageException($"{name} takes no value");
                else set.Add(known);
            }
            else if (Friendly.TryGetValue(name, out var key))
            {
                configuration.Add($"--{key}={Value()}");
            }
            else if (IsConfigurationKey(name))
            {
                configuration.Add($"{name}={Value()}");
            }
            else
            {
                throw new UsageException($"{command} has no option {name} (server settings go as --Section:Key=value, e.g. --Paddock:Workers:Concurrency=2)");
            }
        }
        return new ServerCommandArguments(words, own, set, configuration.ToArray());
    }

    private static bool IsConfigurationKey(string option)
    {
        if (!option.StartsWith("--", StringComparison.Ordinal)) return false;
        var key = option[2..];
        return HostKeys.Contains(key) || (key.Contains(':', StringComparison.Ordinal) && key.Split(':').All(part => part.Length > 0));
    }
}

/// <summary>A server-side command's words, its own options, and the configuration arguments for the host.</summary>
internal sealed record ServerCommandArguments(IReadOnlyList<string> Words, IReadOnlyDictionary<string, string> Values, IReadOnlySet<string> Switches, string[] Configuration)
{
    public bool Has(string name) => Switches.Contains(name);

    public string? Value(string name) => Values.GetValueOrDefault(name);
}
