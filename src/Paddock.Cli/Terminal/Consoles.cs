using Spectre.Console;

namespace Paddock.Cli.Terminal;

/// <summary>
/// Spectre.Console's view of stderr, where progress, prompts and notes go (stdout carries only the result, so
/// <c>--json</c> stays pure). Colours, live redraws and questions only when stderr is a terminal; Spectre detects it.
/// </summary>
internal static class Consoles
{
    private static readonly Lazy<IAnsiConsole> StderrConsole = new(() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }));

    public static IAnsiConsole Stderr => StderrConsole.Value;

    /// <summary>True when a live progress bar can be drawn in place on stderr.</summary>
    public static bool StderrIsTerminal => !Console.IsErrorRedirected;

    /// <summary>True when a question can be asked: someone can type the answer (stdin) and see the question (stderr).</summary>
    public static bool CanAsk => !Console.IsInputRedirected && Stderr.Profile.Capabilities.Interactive;
}
