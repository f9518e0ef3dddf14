using System.Text.Json.Nodes;
using Paddock.Core.Generations;
using Paddock.Server.Http;

namespace Paddock.Server.Endpoints;

/// <summary>The wire shape of a generation row: flat, every request field echoed at top level.</summary>
public static class GenerationJson
{
    public static JsonObject Row(Generation g, HttpRequest request, SignedUrls urls)
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
        return row;
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
