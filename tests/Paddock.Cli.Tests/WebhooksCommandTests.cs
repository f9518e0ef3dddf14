using System.Text.Json;
using Paddock.Cli.Tests.Support;

namespace Paddock.Cli.Tests;

/// <summary><c>paddock webhooks create|list|rotate|deliveries|redeliver|delete</c> against the shared server.</summary>
[Collection(CliServerCollection.Name)]
public sealed class WebhooksCommandTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Webhooks_are_created_listed_rotated_and_deleted_and_a_private_receiver_is_refused_with_the_setting_named()
    {
        var created = await _cli.RunAsync("webhooks", "create", "http://127.0.0.1:9/cli-hooks", "--event", "media_generation_failed", "--event", "media_generation_cancelled", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var endpoint = created.Json();
        var id = endpoint.GetProperty("id").GetString()!;
        var secret = endpoint.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(["media_generation_failed", "media_generation_cancelled"], endpoint.GetProperty("events").EnumerateArray().Select(e => e.GetString()));

        var list = await _cli.RunAsync("webhooks", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(id, list.Stdout, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:9/cli-hooks", list.Stdout, StringComparison.Ordinal);

        var rotated = await _cli.RunAsync("webhooks", "rotate", id);
        Assert.True(rotated.ExitCode == 0, rotated.ToString());
        Assert.Contains("New secret", rotated.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, rotated.Stdout, StringComparison.Ordinal);

        var deliveries = await _cli.RunAsync("webhooks", "deliveries", id, "--json");
        Assert.True(deliveries.ExitCode == 0, deliveries.ToString());
        Assert.Equal(0, deliveries.Json().GetProperty("count").GetInt32());
        var neither = await _cli.RunAsync("webhooks", "deliveries");
        Assert.True(neither.ExitCode == 2, neither.ToString());

        var deleted = await _cli.RunAsync("webhooks", "delete", id);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        var again = await _cli.RunAsync("webhooks", "delete", id);
        Assert.True(again.ExitCode == 4, again.ToString());
        Assert.DoesNotContain(id, (await _cli.RunAsync("webhooks", "list")).Stdout, StringComparison.Ordinal);

        var refused = await _cli.RunAsync("webhooks", "create", "http://10.1.2.3/hooks");
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("Paddock:Webhooks:AllowPrivateNetworks", refused.Stderr, StringComparison.Ordinal);
        var redeliverUnknown = await _cli.RunAsync("webhooks", "redeliver", "msg_unknown");
        Assert.True(redeliverUnknown.ExitCode == 4, redeliverUnknown.ToString());
    }
}
