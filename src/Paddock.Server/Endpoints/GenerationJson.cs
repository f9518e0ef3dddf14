using System.Text.Json.Nodes;
using Paddock.Core.Engines;
using Paddock.Core.Generations;
using Paddock.Core.Models;
using Paddock.Server.Http;

namespace Paddock.Server.Endpoints;

/// <summary>
/// The wire shape of a generation row: flat, every request field echoed at top level; extensions for progress, the
/// failure's kind, what a waiting row waits for, and the remote job that renders it.
/// </summary>
public sealed class GenerationJson(SignedUrls urls, BackendMonitor backends, ModelCatalog catalog)
{
    public JsonObject Row(Generation g, HttpRequest request)
    {
        var parameters = JsonNode.Parse(g.Parameters)!.AsObject();
        string? resultUrl = null;
        long? expiresAt = null;
        if (g.Status == GenerationStatus.Succeeded && g.OutputKey is not null)
        {
            var (url, expires) = urls.Output(request, g.Namespace, g.Id);
            resultUrl = url;
            expiresAt = expires.ToUnixTimeSeconds();
        }

        var row = new JsonObject
        {
            ["generation_id"] = g.Id.ToString(),
            ["model_name"] = g.Model,
            ["prompt"] = parameters["prompt"]?.DeepClone(),
            ["media_type"] = g.MediaType,
            ["status"] = g.Status.ToWire(),
            ["result_url"] = resultUrl,
            ["error_message"] = g.ErrorMessage,
            ["enqueued_at"] = g.EnqueuedAt.ToUnixTimeSeconds(),
            ["started_at"] = g.StartedAt?.ToUnixTimeSeconds(),
            ["completed_at"] = g.CompletedAt?.ToUnixTimeSeconds(),
            ["target_namespace"] = g.Namespace,
        };
        foreach (var (name, value) in parameters)
        {
            if (name != "prompt") row[name] = value?.DeepClone();
        }
        row["progress"] = Progress(g);
        row["attempt"] = g.Attempt;
        row["expires_at"] = expiresAt;
        row["error_type"] = g.ErrorType?.ToWire();
        row["error_code"] = g.ErrorCode;
        row["status_message"] = StatusMessage(g);
        if (g.RemoteJob is { Id: { } remoteId } remote)
        {
            row["remote"] = new JsonObject
            {
                ["backend"] = remote.Backend,
                ["id"] = remoteId,
                ["cancel"] = g.RemoteCancel switch
                {
                    RemoteCancelState.Pending => "pending",
                    RemoteCancelState.Cancelled => "cancelled",
                    RemoteCancelState.Refused => "refused",
                    _ => null,
                },
            };
        }
        return row;
    }

    /// <summary>What the row says of itself beyond its status: stored (a retry pause, a remote cancel), or a queued row's backend being down.</summary>
    private string? StatusMessage(Generation g)
    {
        if (g.Status == GenerationStatus.Queued && catalog.Find(g.Model) is { } model && backends.StateOf(model.Engine, model.Id) is { IsAvailable: false } down)
            return $"waiting: backend '{down.Name}' is unavailable ({down.Problem}); the generation stays queued and starts when it is back";
        return g.StatusMessage;
    }

    private static JsonObject Progress(Generation g)
    {
        var (phase, percent, eta) = g.Status switch
        {
            GenerationStatus.Queued => ("queued", 0, (int?)null),
            GenerationStatus.Processing => (g.Progress?.Phase ?? "starting", g.Progress?.Percent ?? 0, g.Progress?.EtaSeconds),
            GenerationStatus.Succeeded => ("completed", 100, 0),
            _ => (g.Status.ToWire(), g.Progress?.Percent ?? 0, null),
        };
        return new JsonObject
        {
            ["phase"] = phase,
            ["percent"] = percent,
            ["eta_seconds"] = eta,
            ["queue_position"] = g.Status == GenerationStatus.Queued ? g.QueuePosition : null,
        };
    }
}
