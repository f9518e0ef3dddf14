using System.CommandLine;

namespace Paddock.Cli.CommandLine;

/// <summary>
/// A <c>paddock</c> command: System.CommandLine's command plus the words a person needs when the command is called
/// wrongly or asks for <c>--help</c>. Everything is in the definition: the parser, the help, the completions and the
/// usage messages all read it.
/// </summary>
internal sealed class PaddockCommand(string name, string description) : Command(name, description)
{
    /// <summary>What to say when a word the command needs is missing, e.g. "generate needs a PROMPT, e.g. ...".</summary>
    public string? WordsMissing { get; init; }

    /// <summary>
    /// What to say when there are more words than it takes, e.g. "generate takes one PROMPT (quote it)";
    /// <c>{0}</c>, where present, is the word too many.
    /// </summary>
    public string? WordsExtra { get; init; }

    /// <summary>Paragraphs shown under the options in <c>--help</c>: what the command does beyond its options.</summary>
    public string? Notes { get; init; }

    /// <summary>True for the commands that run on the server's side and take its settings (<see cref="ServerSettings"/>).</summary>
    public bool TakesServerSettings { get; init; }

    /// <summary>True when it also takes the host's own settings without a section (<c>--environment</c>): serve, worker, keys.</summary>
    public bool TakesHostSettings { get; init; }
}
