using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Paddock.Cli.Tests.Support;

namespace Paddock.Cli.Tests;

/// <summary>
/// What an operator meets starting Paddock: a bad setting or a busy port is one line naming the problem and its fix,
/// with a documented exit code; the API and the workers can run as separate processes on one data directory.
/// </summary>
[Collection(CliServerCollection.Name)]
public sealed class RolesAndStartTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Every_bad_setting_is_named_at_once_and_the_start_exits_2_without_a_stack_trace()
    {
        var result = await _cli.RunAsync("serve", "--urls", $"http://127.0.0.1:{FreePort()}", "--data-dir", Path.Combine(_cli.Root, "data"),
            "--Paddock:Workers:Concurrency=two", "--Paddock:Workers:LeaseDuration=30", "--Paddock:Wrkers:MaxAttempts=2",
            "--Paddock:Engines:Builtin:Crf=99", "--Paddock:PublicBaseUrl=video.example.com");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("Paddock:Workers:Concurrency is 'two'; it must be a whole number", result.Stderr);
        Assert.Contains("Paddock:Workers:LeaseDuration is '30'; a time span says its unit: write 00:00:30 for 30 seconds", result.Stderr);
        Assert.Contains("Paddock:Wrkers is not a setting; did you mean Paddock:Workers?", result.Stderr);
        Assert.Contains("Paddock:Engines:Builtin:Crf is 99; it must be between 0 and 51", result.Stderr);
        Assert.Contains("Paddock:PublicBaseUrl is 'video.example.com'; it must be an absolute http(s) URL", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr);
        Assert.False(File.Exists(Path.Combine(_cli.Root, "data", "paddock.db")), "nothing was started, so nothing was created");
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_that_names_the_port_and_the_option_and_exits_4()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var result = await _cli.RunAsync("serve", "--urls", $"http://127.0.0.1:{port}", "--data-dir", Path.Combine(_cli.Root, "data"));

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains($"cannot listen on http://127.0.0.1:{port}: the port is already in use", result.Stderr);
        Assert.Contains($"--urls http://127.0.0.1:{port + 1}", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task A_malformed_listen_address_is_refused_naming_urls()
    {
        var result = await _cli.RunAsync("serve", "--urls", "localhost:8080", "--data-dir", Path.Combine(_cli.Root, "data"));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--urls has 'localhost:8080'", result.Stderr);
    }

    [Fact]
    public async Task Keys_check_the_same_settings_as_the_server()
    {
        var result = await _cli.RunAsync("keys", "list", "--data-dir", Path.Combine(_cli.Root, "data"), "--Paddock:References:ConnectTimeout=soon");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("Paddock:References:ConnectTimeout is 'soon'", result.Stderr);
    }

    [Fact]
    public async Task An_api_only_server_and_a_separate_worker_process_share_one_data_directory()
    {
        var data = Path.Combine(_cli.Root, "shared-data");
        var url = $"http://127.0.0.1:{FreePort()}";
        await using var api = _cli.Start("serve", "--no-workers", "--urls", url, "--data-dir", data, "--Logging:LogLevel:Default=Warning");
        await api.WaitForAsync(s => s.Contains("Paddock is listening", StringComparison.Ordinal), "the API listening");
        _cli.Environment["PADDOCK_URL"] = url;
        _cli.Environment["PADDOCK_API_KEY"] = (await File.ReadAllTextAsync(Path.Combine(data, "first-api-key.txt"))).Trim();

        var queued = await _cli.RunAsync("generate", "A lantern swings in the wind", "--resolution", "720P", "--duration", "3", "--no-wait", "--json");
        Assert.True(queued.ExitCode == 0, queued.ToString());
        var id = queued.Json().GetProperty("generation_id").GetString()!;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var waiting = await _cli.RunAsync("queue", "get", id, "--json");
        Assert.Equal("queued", waiting.Json().GetProperty("status").GetString());

        var healthUrl = $"http://127.0.0.1:{FreePort()}";
        await using var worker = _cli.Start("worker", "--urls", healthUrl, "--data-dir", data, "--Paddock:Engines:Builtin:Preset=ultrafast", "--Logging:LogLevel:Default=Warning");
        var followed = await _cli.RunAsync("events", "--generation", id, "--json");
        Assert.True(followed.ExitCode == 0, followed.ToString() + worker.Stderr);
        var result = await _cli.RunAsync("download", id, "-o", _cli.PathOf("out.mp4"), "--json");
        Assert.True(result.ExitCode == 0, result.ToString() + worker.Stderr);
        Assert.True(new FileInfo(_cli.PathOf("out.mp4")).Length > 1000);

        // The worker answers health checks, and nothing else of the API.
        using var http = new HttpClient();
        var health = JsonDocument.Parse(await http.GetStringAsync($"{healthUrl}/api/health")).RootElement;
        Assert.Equal("worker", health.GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"{healthUrl}/api/ai/models")).StatusCode);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
