using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Paddock.Cli.Tests.Support;

namespace Paddock.Cli.Tests;

/// <summary>
/// <c>paddock serve</c> and <c>paddock keys</c> as an operator runs them (a server process of their own, its own data
/// directory), and <c>paddock events</c> following that server through a restart.
/// </summary>
[Collection(CliServerCollection.Name)]
public sealed class ServeAndKeysTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Keys_read_their_options_in_any_order_and_in_either_form()
    {
        var data = Path.Combine(_cli.Root, "server-data");

        // --json before --data-dir: both are options, and the key goes to the database of that directory.
        var created = await _cli.RunAsync("keys", "create", "--namespace", "acme", "--json", "--data-dir", data);
        Assert.True(created.ExitCode == 0, created.ToString());
        var key = created.Json();
        Assert.StartsWith("pdk_", key.GetProperty("key").GetString());
        Assert.Equal("acme", key.GetProperty("namespace").GetString());
        var id = key.GetProperty("id").GetString()!;

        var listed = await _cli.RunAsync("keys", "list", "--json", "--data-dir", data);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains(listed.Json().GetProperty("keys").EnumerateArray(), k => k.GetProperty("id").GetString() == id);
        var text = await _cli.RunAsync("keys", "list", $"--data-dir={data}");
        Assert.Contains($"{id}\tacme\t", text.Stdout);
        Assert.False(Directory.Exists(_cli.PathOf(".paddock")), "nothing went to a database in the current directory");

        // An id the database does not have is refused without sending the user to the manual.
        var unknown = await _cli.RunAsync("keys", "revoke", "key_000000000000", "--data-dir", data);
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("paddock: no key with id key_000000000000", unknown.Stderr);
        Assert.DoesNotContain("paddock help", unknown.Stderr);

        var revoked = await _cli.RunAsync("keys", "revoke", id, $"--data-dir={data}", "--json");
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.True(revoked.Json().GetProperty("revoked").GetBoolean());
        Assert.DoesNotContain(id, (await _cli.RunAsync("keys", "list", "--data-dir", data)).Stdout);
    }

    [Fact]
    public async Task Events_wait_out_a_server_restart_and_end_with_the_generation()
    {
        var data = Path.Combine(_cli.Root, "server-data");
        var url = $"http://127.0.0.1:{FreePort()}";

        // No workers: the generation waits for the server that comes after the restart.
        await using var first = await ServeAsync(url, $"--data-dir={data}", "--concurrency", "0");
        Assert.True(File.Exists(Path.Combine(data, "first-api-key.txt")), "--data-dir=DIR is the data directory");
        Assert.False(Directory.Exists(_cli.PathOf(".paddock")));

        // A key made beside the running server, in its database, works at once.
        var created = await _cli.RunAsync("keys", "create", "--namespace", "acme", "--data-dir", data);
        Assert.True(created.ExitCode == 0, created.ToString());
        _cli.Environment["PADDOCK_URL"] = url;
        _cli.Environment["PADDOCK_API_KEY"] = created.Stdout.Trim();
        var queued = await _cli.RunAsync("generate", "A heron waits by the water", "--resolution", "720P", "--duration", "3", "--no-wait", "--json");
        Assert.True(queued.ExitCode == 0, queued.ToString());
        var id = queued.Json().GetProperty("generation_id").GetString()!;

        await using var events = _cli.Start("events", "--generation", id, "--json");
        await Task.Delay(TimeSpan.FromSeconds(2));
        first.Terminate();
        await first.WaitForExitAsync(TimeSpan.FromSeconds(30));

        // Past the SDK's own retries (about 6 s) it keeps trying, and says so once.
        await events.WaitForAsync(s => s.Contains("reconnecting until it answers", StringComparison.Ordinal), "the reconnecting note", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.False(events.HasExited, events.Stderr);

        await using var second = await ServeAsync(url, "--data-dir", data, "--Paddock:Workers:Concurrency=1");
        var result = await events.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(Regex.Matches(result.Stderr, "reconnecting"));
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("media_generation_started", lines[0].GetProperty("event").GetString());
        Assert.Equal("media_generation_completed", lines[^1].GetProperty("event").GetString());
        Assert.Equal("succeeded", lines[^1].GetProperty("data").GetProperty("status").GetString());
        second.Terminate();
        await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_revoked_first_key_is_not_announced_again_at_the_next_start()
    {
        var data = Path.Combine(_cli.Root, "revoked-first");
        var url = $"http://127.0.0.1:{FreePort()}";
        string key;
        await using (var first = await ServeAsync(url, "--data-dir", data, "--concurrency", "0"))
        {
            key = (await File.ReadAllTextAsync(Path.Combine(data, "first-api-key.txt"))).Trim();
            await first.WaitForAsync(s => s.Contains(key, StringComparison.Ordinal), "the first key announced");
            first.Terminate();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        var id = (await _cli.RunAsync("keys", "list", "--json", "--data-dir", data)).Json().GetProperty("keys")[0].GetProperty("id").GetString()!;
        Assert.Equal(0, (await _cli.RunAsync("keys", "revoke", id, "--data-dir", data)).ExitCode);

        await using var second = await ServeAsync(url, "--data-dir", data, "--concurrency", "0");
        await second.WaitForAsync(s => s.Contains("API keys: create one with 'paddock keys create", StringComparison.Ordinal), "the note that no key is announced");
        Assert.DoesNotContain(key, second.Stdout, StringComparison.Ordinal);
        second.Terminate();
        await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// appsettings.json is read from the folder the server starts in, and nothing below that folder is watched: started
    /// in / (systemd's default working directory), a watch on it covered the whole file system, tens of thousands of
    /// inotify watches and seconds of start-up.
    /// </summary>
    [Fact]
    public async Task Serve_reads_appsettings_json_where_it_starts_and_watches_none_of_the_folders_below()
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        await File.WriteAllTextAsync(_cli.PathOf("appsettings.json"), JsonSerializer.Serialize(new { urls = url }));
        for (var i = 0; i < 30; i++)
        for (var j = 0; j < 10; j++)
            Directory.CreateDirectory(_cli.PathOf(Path.Combine($"project-{i}", $"folder-{j}")));

        await using var serve = _cli.Start("serve", "--data-dir", Path.Combine(_cli.Root, "watch-data"), "--concurrency", "0", "--Logging:LogLevel:Default=Warning");
        await serve.WaitForAsync(s => s.Contains($"Paddock is listening on {url}", StringComparison.Ordinal), "the server listening where appsettings.json says");

        var watches = Directory.EnumerateFiles($"/proc/{serve.Pid}/fdinfo")
            .Sum(info => { try { return File.ReadLines(info).Count(l => l.StartsWith("inotify ", StringComparison.Ordinal)); } catch (IOException) { return 0; } });
        Assert.True(watches < 50, $"the server holds {watches} inotify watches for the 331 folders it started in");
        serve.Terminate();
        await serve.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task<RunningCli> ServeAsync(string url, params string[] settings)
    {
        var serve = _cli.Start(["serve", "--urls", url, .. settings, "--Paddock:Engines:Builtin:Preset=ultrafast", "--Logging:LogLevel:Default=Warning"]);
        await serve.WaitForAsync(s => s.Contains("Paddock is listening", StringComparison.Ordinal), "the server listening");
        return serve;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
