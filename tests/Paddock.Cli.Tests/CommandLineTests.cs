using System.Diagnostics;
using Paddock.Cli.Tests.Support;

namespace Paddock.Cli.Tests;

/// <summary>
/// The command line itself, as one parser defines it: every command's --help lists its options, a wrong option or
/// value is one line that names it (exit 2), both "--name value" and "--name=value" work, and the shell completion
/// script is one the shell accepts and that completes from the same definitions.
/// </summary>
[Collection(CliServerCollection.Name)]
public sealed class CommandLineTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Root_help_lists_every_command_and_its_own_options()
    {
        foreach (var args in new[] { new[] { "--help" }, ["-h"], ["help"], [] })
        {
            var result = await _cli.RunAsync(args);
            Assert.True(result.ExitCode == 0, result.ToString());
            foreach (var command in new[] { "serve", "worker", "keys", "render", "config", "models", "generate", "queue", "events", "upload", "download", "usage", "admin", "completion" })
                Assert.Matches($@"(?m)^  {command}\b", result.Stdout);
            Assert.Contains("--version", result.Stdout);
            Assert.Contains("-h, --help", result.Stdout);
            Assert.Equal("", result.Stderr);
        }
    }

    [Theory]
    [InlineData(new[] { "generate", "--help" }, new[] { "<PROMPT>", "-i, --image <IMAGE>", "-d, --duration <SECONDS>", "--seed <N>", "--no-wait", "--sync", "--server <URL>", "--json" })]
    [InlineData(new[] { "queue", "list", "--help" }, new[] { "--all", "--status <S>", "--model <M>", "--server <URL>" })]
    [InlineData(new[] { "keys", "create", "--help" }, new[] { "--namespace <NAME>", "--name", "--data-dir <DIR>" })]
    [InlineData(new[] { "serve", "--help" }, new[] { "--urls <URLS>", "--data-dir <DIR>", "--concurrency <N>", "--no-workers" })]
    [InlineData(new[] { "download", "-h" }, new[] { "<URL_OR_ID>", "--force", "-o, --output" })]
    [InlineData(new[] { "help", "events" }, new[] { "--last-event-id", "--generation" })]
    public async Task A_commands_help_lists_its_options(string[] args, string[] expected)
    {
        var result = await _cli.RunAsync(args);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Stdout);
        Assert.Contains("Options:", result.Stdout);
        foreach (var text in expected) Assert.Contains(text, result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [InlineData(new[] { "generate", "a fox", "--duration=five" }, "--duration must be a whole number, not 'five'")]
    [InlineData(new[] { "generate", "a fox", "--duration", "five" }, "--duration must be a whole number, not 'five'")]
    [InlineData(new[] { "generate", "a fox", "--colour=red" }, "generate has no option --colour")]
    [InlineData(new[] { "queue", "list", "--json=yes" }, "--json takes no value")]
    [InlineData(new[] { "models", "--serverr", "http://127.0.0.1:1" }, "models has no option --serverr")]
    [InlineData(new[] { "keys", "list", "--namespace", "team-a" }, "keys list has no option --namespace; it goes with 'keys create'")]
    public async Task A_wrong_option_or_value_is_one_line_that_names_it_with_exit_2(string[] args, string message)
    {
        var result = await _cli.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([$"paddock: {message}", "Run 'paddock help' for usage."], lines);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task A_usage_error_with_json_is_a_json_document_too()
    {
        var result = await _cli.RunAsync("generate", "a fox", "--seed=soon", "--json");

        Assert.Equal(2, result.ExitCode);
        var error = result.Json().GetProperty("error");
        Assert.Equal("usage", error.GetProperty("kind").GetString());
        Assert.Contains("--seed", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Equals_and_space_forms_of_an_option_do_the_same()
    {
        var spaced = await _cli.RunAsync("models", "--json", "--search", "r2v");
        var joined = await _cli.RunAsync("models", "--json", "--search=r2v");

        Assert.True(spaced.ExitCode == 0, spaced.ToString());
        Assert.Equal(spaced.Stdout, joined.Stdout);
        Assert.Contains("happyhorse-1.0-r2v", joined.Stdout);
    }

    [Fact]
    public async Task Bash_completion_is_a_script_bash_accepts_and_it_completes_commands_and_options()
    {
        var script = await _cli.RunAsync("completion", "bash");
        Assert.True(script.ExitCode == 0, script.ToString());
        var file = _cli.PathOf("paddock.bash");
        await File.WriteAllTextAsync(file, script.Stdout);
        Assert.Equal((0, ""), await BashAsync("-n", file)); // bash parses it

        // A "paddock" on PATH that runs the built command, as an installed one would.
        var bin = Path.Combine(_cli.Root, "bin");
        Directory.CreateDirectory(bin);
        var launcher = Path.Combine(bin, "paddock");
        await File.WriteAllTextAsync(launcher, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "paddock.dll")}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.Equal((0, "queue"), await CompleteAsync(file, bin, "paddock que"));
        Assert.Equal((0, "--duration"), await CompleteAsync(file, bin, "paddock generate --dura"));
        Assert.Equal((0, "list"), await CompleteAsync(file, bin, "paddock queue li"));
    }

    [Theory]
    [InlineData("zsh", "compdef _paddock paddock")]
    [InlineData("powershell", "Register-ArgumentCompleter -Native -CommandName paddock")]
    public async Task Zsh_and_powershell_completion_scripts_are_printed(string shell, string registration)
    {
        var result = await _cli.RunAsync("completion", shell);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(registration, result.Stdout);
    }

    [Fact]
    public async Task Completion_for_an_unknown_shell_is_a_usage_error()
    {
        var result = await _cli.RunAsync("completion", "fish");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("paddock: completion takes bash, zsh or powershell, not 'fish'", result.Stderr);
    }

    /// <summary>Loads the completion script into bash and asks it to complete <paramref name="line"/> as if Tab was pressed at its end.</summary>
    private async Task<(int ExitCode, string Output)> CompleteAsync(string script, string bin, string line)
    {
        var program = $"""
            source '{script}'
            read -r -a COMP_WORDS <<< "$LINE"
            COMP_CWORD=$(( ${"{#COMP_WORDS[@]}"} - 1 ))
            COMP_LINE="$LINE"
            COMP_POINT=${"{#COMP_LINE}"}
            _paddock_complete
            printf '%s\n' "${"{COMPREPLY[@]}"}"
            """;
        return await BashAsync(new Dictionary<string, string> { ["LINE"] = line, ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH") }, "-c", program);
    }

    private Task<(int, string)> BashAsync(params string[] args) => BashAsync(new Dictionary<string, string>(), args);

    private async Task<(int, string)> BashAsync(Dictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _cli.WorkDirectory };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (name, value) in _cli.Environment)
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var bash = Process.Start(info)!;
        var output = bash.StandardOutput.ReadToEndAsync();
        var error = bash.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bash.WaitForExitAsync(timeout.Token);
        var text = (await output).Trim();
        return (bash.ExitCode, bash.ExitCode == 0 ? text : text + await error);
    }
}
