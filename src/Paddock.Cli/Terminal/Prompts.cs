using Spectre.Console;

namespace Paddock.Cli.Terminal;

/// <summary>Questions asked on the terminal (stderr), with Spectre.Console's prompts. Ask only when <see cref="Consoles.CanAsk"/>.</summary>
internal static class Prompts
{
    /// <summary>"Cancel the generation? [y/N]": y (or yes) cancels; n or Enter keeps it running; anything else asks again.</summary>
    public static Task<bool> CancelGenerationAsync() =>
        new ConfirmationPrompt("Cancel the generation? [[y/N]]")
        {
            DefaultValue = false,
            ShowChoices = false,
            ShowDefaultValue = false,
        }.ShowAsync(Consoles.Stderr, CancellationToken.None);
}
