using Paddock.Cli.Tests.Support;

namespace Paddock.Cli.Tests;

/// <summary>Where the server and key come from: flags over the environment over <c>~/.config/paddock/config.json</c>.</summary>
[Collection(CliServerCollection.Name)]
public sealed class ConfigTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Config_file_is_private_and_flags_beat_the_environment_which_beats_the_file()
    {
        _cli.Environment["PADDOCK_URL"] = null;
        _cli.Environment["PADDOCK_API_KEY"] = null;

        Assert.Equal(0, (await _cli.RunAsync("config", "set", "server", server.Url)).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("config", "set", "key", server.ApiKey)).ExitCode);
        var file = Path.Combine(_cli.Home, ".config", "paddock", "config.json");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Contains(server.ApiKey, await File.ReadAllTextAsync(file));

        // The file alone is enough.
        var models = await _cli.RunAsync("models");
        Assert.True(models.ExitCode == 0, models.ToString());
        Assert.Contains("happyhorse-1.0-r2v", models.Stdout);
        var shown = (await _cli.RunAsync("config", "show", "--json")).Json();
        Assert.Equal(file, shown.GetProperty("key_source").GetString());
        Assert.DoesNotContain(server.ApiKey, shown.GetRawText()); // never printed whole

        // The environment wins over the file...
        _cli.Environment["PADDOCK_API_KEY"] = "pdk_wrong_in_the_environment";
        var env = await _cli.RunAsync("models");
        Assert.True(env.ExitCode == 3, env.ToString());
        Assert.Contains("PADDOCK_API_KEY", env.Stderr);

        // ...and a flag wins over both.
        var flag = await _cli.RunAsync("models", "--key", server.ApiKey);
        Assert.True(flag.ExitCode == 0, flag.ToString());
        var wrongServer = await _cli.RunAsync("config", "show", "--server", "http://example.invalid:1", "--json");
        Assert.Equal("--server", wrongServer.Json().GetProperty("server_source").GetString());
    }

    [Fact]
    public async Task The_key_variable_of_the_README_and_the_original_examples_works_too()
    {
        // A shell set up as the README says (export OXEN_API_KEY=...) runs the command with nothing else.
        _cli.Environment["PADDOCK_API_KEY"] = null;
        _cli.Environment["OXEN_API_KEY"] = server.ApiKey;
        var models = await _cli.RunAsync("models");
        Assert.True(models.ExitCode == 0, models.ToString());
        Assert.Equal("OXEN_API_KEY", (await _cli.RunAsync("config", "show", "--json")).Json().GetProperty("key_source").GetString());

        // The command's own variable, when set too, wins; a refusal names the one used.
        _cli.Environment["PADDOCK_API_KEY"] = "pdk_wrong_in_the_environment";
        var wrong = await _cli.RunAsync("models");
        Assert.Equal(3, wrong.ExitCode);
        Assert.Contains("refused the API key from PADDOCK_API_KEY", wrong.Stderr);

        // With no key at all, the message names the README's variable.
        _cli.Environment["PADDOCK_API_KEY"] = null;
        _cli.Environment["OXEN_API_KEY"] = null;
        var none = await _cli.RunAsync("models");
        Assert.Equal(3, none.ExitCode);
        Assert.Contains("set OXEN_API_KEY", none.Stderr);
    }

    [Fact]
    public async Task Bad_config_values_are_usage_errors()
    {
        var url = await _cli.RunAsync("config", "set", "server", "not a url");
        Assert.True(url.ExitCode == 2, url.ToString());
        Assert.Contains("must be an http:// or https:// URL", url.Stderr);

        var name = await _cli.RunAsync("config", "set", "colour", "blue");
        Assert.Equal(2, name.ExitCode);
        Assert.Contains("config has no setting 'colour'", name.Stderr);

        var file = Path.Combine(_cli.Home, ".config", "paddock", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, "{ not json");
        var broken = await _cli.RunAsync("queue", "list");
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("is not valid JSON", broken.Stderr);
    }
}
