using Paddock.Cli.Tests.Support;

namespace Paddock.Cli.Tests;

/// <summary>What a script sees when something is wrong: the exit code, and a message that says what.</summary>
[Collection(CliServerCollection.Name)]
public sealed class ExitCodeTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData(new[] { "generate" }, "generate needs a PROMPT")]
    [InlineData(new[] { "generate", "a", "b" }, "generate takes one PROMPT (quote it)")]
    [InlineData(new[] { "generate", "x", "--duration", "five" }, "--duration must be a whole number, not 'five'")]
    [InlineData(new[] { "generate", "x", "-i", "no-such-file.png" }, "no file at no-such-file.png")]
    [InlineData(new[] { "generate", "x", "--colour", "red" }, "generate has no option --colour")]
    [InlineData(new[] { "generate", "x", "--seed" }, "--seed needs a value")]
    [InlineData(new[] { "queue" }, "queue takes: list")]
    [InlineData(new[] { "events", "--last-event-id", "soon" }, "--last-event-id must be an event id")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    [InlineData(new[] { "serve", "--port", "9000" }, "serve has no option --port")]
    [InlineData(new[] { "serve", "--data-dir" }, "--data-dir needs a value")]
    [InlineData(new[] { "keys", "list", "--colour", "red" }, "keys has no option --colour")]
    [InlineData(new[] { "keys", "create", "--name", "ci", "--namespace" }, "--namespace needs a value")]
    [InlineData(new[] { "download", "x", "--forse" }, "download has no option --forse")]
    public async Task Bad_usage_exits_2_with_a_message(string[] args, string message)
    {
        var result = await _cli.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"paddock: {message}", result.Stderr);
        Assert.Contains("Run 'paddock help' for usage.", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task A_request_the_server_refuses_as_invalid_exits_2_with_the_servers_detail()
    {
        var result = await _cli.RunAsync("generate", "A horse", "--duration", "99", "--resolution", "720P");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("paddock: the server refused the request: duration: must be between 3 and 15 (HTTP 400)", result.Stderr);

        var json = await _cli.RunAsync("generate", "A horse", "--duration", "99", "--aspect", "2:1", "--json");
        Assert.Equal(2, json.ExitCode);
        var error = json.Json().GetProperty("error");
        Assert.Equal(2, error.GetProperty("exit_code").GetInt32());
        Assert.Equal(400, error.GetProperty("status").GetInt32());
        Assert.Equal("invalid_params", error.GetProperty("type").GetString());
        Assert.Contains("duration: must be between 3 and 15", error.GetProperty("detail").GetString());
        Assert.Contains("aspect_ratio", error.GetProperty("detail").GetString());

        var model = await _cli.RunAsync("generate", "A horse", "--model", "no-such-model");
        Assert.True(model.ExitCode == 2, model.ToString());
        Assert.Contains("no-such-model", model.Stderr);
        Assert.DoesNotContain("paddock help", model.Stderr); // the command line was right; the server said no
    }

    [Fact]
    public async Task An_unknown_model_exits_2_from_models_as_from_generate()
    {
        var result = await _cli.RunAsync("models", "no-such-model");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("paddock: the server has no model 'no-such-model' (see 'paddock models')", result.Stderr);
        Assert.DoesNotContain("paddock help", result.Stderr);

        var json = await _cli.RunAsync("models", "no-such-model", "--json");
        Assert.Equal(2, json.Json().GetProperty("error").GetProperty("exit_code").GetInt32());
    }

    [Fact]
    public async Task A_wrong_key_exits_3_and_says_which_key()
    {
        var flag = await _cli.RunAsync("models", "--key", "pdk_not_a_real_key");
        Assert.True(flag.ExitCode == 3, flag.ToString());
        Assert.Contains("refused the API key from --key", flag.Stderr);
        Assert.Contains("HTTP 401", flag.Stderr);

        _cli.Environment["PADDOCK_API_KEY"] = "pdk_also_wrong";
        var env = await _cli.RunAsync("queue", "list", "--json");
        Assert.Equal(3, env.ExitCode);
        Assert.Contains("refused the API key from PADDOCK_API_KEY", env.Stderr);
        Assert.Equal("auth", env.Json().GetProperty("error").GetProperty("kind").GetString());

        _cli.Environment["PADDOCK_API_KEY"] = null;
        var none = await _cli.RunAsync("models");
        Assert.True(none.ExitCode == 3, none.ToString());
        Assert.Contains("no API key", none.Stderr);
    }

    [Fact]
    public async Task An_unknown_generation_exits_4_with_the_servers_message()
    {
        var id = Guid.NewGuid().ToString();
        var result = await _cli.RunAsync("queue", "get", id);

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains($"generation not found: {id}", result.Stderr);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_exits_4_after_the_retries()
    {
        var result = await _cli.RunAsync("models", "--server", "http://127.0.0.1:1");

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("paddock: cannot reach http://127.0.0.1:1", result.Stderr);
    }

    [Fact]
    public async Task Help_lists_the_commands_and_the_exit_codes()
    {
        var result = await _cli.RunAsync("help");

        Assert.Equal(0, result.ExitCode);
        foreach (var word in new[] { "paddock serve", "paddock keys create", "paddock models", "paddock generate", "paddock queue list", "paddock events",
                     "paddock upload", "paddock download", "paddock config set", "Exit codes:", "130" })
            Assert.Contains(word, result.Stdout);
        // "paddock help COMMAND" is that command's own help, as "paddock COMMAND --help" prints it.
        Assert.Equal((await _cli.RunAsync("generate", "--help")).Stdout, (await _cli.RunAsync("help", "generate")).Stdout);
    }
}
