using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Paddock.Bench;

/// <summary>What every benchmark's report says the same way.</summary>
public static class Report
{
    /// <summary>The line after which a benchmark prints the Markdown that <c>bench/run.sh</c> copies into docs/BENCHMARKS.md.</summary>
    public const string MarkdownMarker = "--- Markdown for docs/BENCHMARKS.md ---";

    /// <summary>Invariant culture for every number printed, whatever the machine's locale.</summary>
    public static void UseInvariantCulture()
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
    }

    /// <summary>Cores, OS, runtime, GC mode and the load average now: the figures mean little without them on a shared machine.</summary>
    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, " +
        $"{(GCSettings.IsServerGC ? "server GC" : "workstation GC")}, load average {LoadAverage()}";

    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown".</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} / {parts[1]} / {parts[2]}";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1) of a sample (nearest rank); NaN when empty.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

/// <summary>Medians over runs (each figure on its own); errors summed.</summary>
public sealed record Summary(double RequestsPerSecond, double P50Ms, double P99Ms, long Errors, double CpuMsPerRequest)
{
    public static Summary Of(IReadOnlyList<RunResult> runs) => new(
        Report.Median(runs.Select(r => r.RequestsPerSecond)),
        Report.Median(runs.Select(r => r.P50Ms)),
        Report.Median(runs.Select(r => r.P99Ms)),
        runs.Sum(r => r.Errors),
        Report.Median(runs.Select(r => r.CpuMsPerRequest)));
}

/// <summary>
/// <c>--name value</c> / <c>--name=value</c> arguments and bare switches, with a message that names the argument when a
/// value is missing or out of range.
/// </summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    /// <param name="switches">Arguments that take no value.</param>
    /// <param name="options">Arguments that take a value.</param>
    public Arguments(string[] args, IReadOnlyCollection<string> switches, IReadOnlyCollection<string> options)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? value = null;
            var eq = arg.IndexOf('=');
            if (eq > 0)
            {
                value = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            if (switches.Contains(arg) && value is null) _values[arg] = null;
            else if (options.Contains(arg)) _values[arg] = value ?? (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value"));
            else throw new ArgumentException($"unknown argument {args[i]}");
        }
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public int Int(string name, int fallback, int min, int max)
    {
        if (!_values.TryGetValue(name, out var text) || text is null) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{name}: '{text}' is not a whole number from {min} to {max}");
    }

    /// <summary>A comma-separated list of whole numbers, e.g. <c>--rows 1000,100000</c>.</summary>
    public IReadOnlyList<int> Ints(string name, IReadOnlyList<int> fallback, int min, int max)
    {
        if (!_values.TryGetValue(name, out var text) || text is null) return fallback;
        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            list.Add(int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                ? n
                : throw new ArgumentException($"{name}: '{part}' is not a whole number from {min} to {max}"));
        }
        return list.Count > 0 ? list : throw new ArgumentException($"{name}: give at least one number");
    }
}
