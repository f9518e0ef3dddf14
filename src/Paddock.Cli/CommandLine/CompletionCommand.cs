using System.CommandLine;
using Paddock.Cli.Remote;

namespace Paddock.Cli.CommandLine;

/// <summary>
/// <c>paddock completion bash|zsh|powershell</c>: a script that gives the shell tab completion of commands, options and
/// their known values. The script asks <c>paddock</c> itself through System.CommandLine's <c>[suggest:POSITION]</c>
/// directive (the protocol dotnet-suggest speaks), so the completions always come from the same definitions as the
/// parser and the help, and a new option completes without a new script.
/// </summary>
internal static class CompletionCommand
{
    // Each script replaces the command's first word by "paddock" (it may be typed as ./paddock or a full path) and
    // passes the line up to the cursor, so the position is the line's length.
    private const string Bash = """
        # bash completion for paddock. Load it in ~/.bashrc:
        #   source <(paddock completion bash)
        _paddock_complete()
        {
            local line="${COMP_LINE:0:COMP_POINT}"
            line="paddock${line#"${COMP_WORDS[0]}"}"
            local IFS=$'\n'
            local suggestions
            suggestions=$("${COMP_WORDS[0]}" "[suggest:${#line}]" "$line" 2>/dev/null) || return 0
            COMPREPLY=( $(compgen -W "$suggestions" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _paddock_complete paddock
        """;

    private const string Zsh = """
        #compdef paddock
        # zsh completion for paddock. Load it in ~/.zshrc, after compinit:
        #   source <(paddock completion zsh)
        _paddock() {
            local line="paddock ${(j: :)words[2,CURRENT]}"
            local -a suggestions
            suggestions=(${(f)"$(${words[1]} "[suggest:${#line}]" "$line" 2>/dev/null)"})
            if (( ${#suggestions} )); then
                compadd -- "${suggestions[@]}"
            else
                _files
            fi
        }
        compdef _paddock paddock
        """;

    private const string PowerShell = """
        # PowerShell completion for paddock. Load it in $PROFILE:
        #   paddock completion powershell | Out-String | Invoke-Expression
        Register-ArgumentCompleter -Native -CommandName paddock -ScriptBlock {
            param($wordToComplete, $commandAst, $cursorPosition)
            $typed = $commandAst.CommandElements[0].Extent.Text
            $before = $cursorPosition - $commandAst.Extent.StartOffset
            # The command's text ends at its last word; a cursor after a space is past it.
            $line = $commandAst.ToString().PadRight($before).Substring(0, $before)
            $line = 'paddock' + $line.Substring($typed.Length)
            & $typed "[suggest:$($line.Length)]" $line 2>$null | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
            }
        }
        """;

    private static readonly Dictionary<string, string> Scripts = new(StringComparer.Ordinal)
    {
        ["bash"] = Bash,
        ["zsh"] = Zsh,
        ["powershell"] = PowerShell,
        ["pwsh"] = PowerShell,
    };

    public static PaddockCommand Create()
    {
        var shell = new Argument<string>("SHELL") { HelpName = "SHELL", Description = "bash, zsh or powershell" };
        shell.CompletionSources.Add("bash", "zsh", "powershell");
        var command = new PaddockCommand("completion", "Print a shell script that completes paddock's commands and options")
        {
            WordsMissing = "completion needs a shell: paddock completion bash|zsh|powershell",
            WordsExtra = "completion takes one shell: paddock completion bash|zsh|powershell",
            Notes = """
                bash:        source <(paddock completion bash)                          (in ~/.bashrc)
                zsh:         source <(paddock completion zsh)                           (in ~/.zshrc, after compinit)
                PowerShell:  paddock completion powershell | Out-String | Invoke-Expression   (in $PROFILE)
                """,
        };
        command.Add(shell);
        command.SetAction(parse =>
        {
            var name = parse.GetRequiredValue(shell);
            if (!Scripts.TryGetValue(name, out var script))
            {
                Output.Problem($"completion takes bash, zsh or powershell, not '{name}'");
                Console.Error.WriteLine("Run 'paddock help' for usage.");
                return ExitCodes.Usage;
            }
            Console.Out.WriteLine(script);
            return ExitCodes.Ok;
        });
        return command;
    }
}
