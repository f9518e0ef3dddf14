using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>A delivery is as durable as the event it tells of: SIGKILL between the completion and its delivery loses nothing.</summary>
public sealed class WebhookCrashTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "paddock-webhook-crash-" + Guid.NewGuid().ToString("N"));

    private static readonly string[] Webhooks = ["--Paddock:Webhooks:AllowedHosts:0=127.0.0.1", "--Paddock:Webhooks:BaseDelay=00:00:00.200", "--Paddock:Webhooks:PollInterval=00:00:00.100"];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_server_killed_after_the_completion_and_before_any_delivery_delivers_it_after_a_restart()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        string id, secret;
        // The first process commits the completion but sends nothing (Deliver=false holds the window between the event and
        // its delivery open), then dies by SIGKILL: no shutdown code runs.
        await using (var server = await ServerProcess.StartAsync(_data, [.. Webhooks, "--Paddock:Webhooks:Deliver=false"]))
        {
            var (status, endpoint) = await Api.PostJsonAsync(server.Client, "api/webhooks", JsonSerializer.Serialize(new { url = receiver.Url }));
            Assert.True(status == 201, $"{status} {endpoint}");
            secret = endpoint!["secret"]!.GetValue<string>();
            id = (await Api.EnqueueAsync(server.Client, new { model = "happyhorse-1.0-t2v", prompt = "a red ball bounces", resolution = "720P", duration = 3 }))[0];
            Assert.Equal("succeeded", (await Api.WaitTerminalAsync(server.Client, id))["status"]!.GetValue<string>());
            server.Kill();
        }
        Assert.Empty(receiver.Requests);

        await using (var restarted = await ServerProcess.StartAsync(_data, Webhooks))
        {
            var got = await receiver.WaitForAsync(r => r.Count >= 1);
            Assert.True(WebhookReceiver.Verifies(got[0], secret));
            var body = JsonNode.Parse(got[0].Body)!;
            Assert.Equal((id, "succeeded"), (body["data"]!["generation_id"]!.GetValue<string>(), body["data"]!["status"]!.GetValue<string>()));

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            JsonNode delivery;
            do
            {
                delivery = (await restarted.Client.GetFromJsonAsync<JsonNode>($"api/webhooks/deliveries?generation_id={id}"))!["deliveries"]![0]!;
                if (delivery["status"]!.GetValue<string>() == "delivered") break;
                await Task.Delay(100);
            } while (DateTime.UtcNow < deadline);
            Assert.Equal(("delivered", 1, 204), (delivery["status"]!.GetValue<string>(), delivery["attempts"]!.GetValue<int>(), delivery["response_code"]!.GetValue<int>()));
            await Task.Delay(500);
            Assert.Single(receiver.Requests);
        }
    }
}
