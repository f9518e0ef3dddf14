using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Engines.ComfyUI.Protocol;

/// <summary>
/// A 400 of <c>POST /prompt</c> in words: the error's message and details, then each node's errors (where validation
/// puts the real reasons: a model file not in the list, an image that is not there). Shapes: docs/providers/comfyui.md.
/// </summary>
internal static class PromptRefusal
{
    public static string Describe(Uri member, string model, string body)
    {
        JsonObject? answer = null;
        try { answer = JsonNode.Parse(body) as JsonObject; }
        catch (JsonException) { }
        if (answer?["error"] is not JsonObject error) return $"ComfyUI at {member} refused the {model} workflow: {ComfyRequestException.Shorten(body)}";
        var parts = new List<string> { Join(error["message"]?.ToString(), error["details"]?.ToString()) };
        foreach (var (node, value) in answer["node_errors"] as JsonObject ?? [])
        {
            var errors = (value?["errors"] as JsonArray ?? []).Select(e => Join(e?["message"]?.ToString(), e?["details"]?.ToString()));
            parts.Add($"node {node} ({value?["class_type"]}): {string.Join("; ", errors)}");
        }
        return $"ComfyUI at {member} refused the {model} workflow: {string.Join("; ", parts.Where(p => p.Length > 0))}";
    }

    /// <summary>The error's type (<c>missing_node_type</c>, <c>prompt_outputs_failed_validation</c>, …), kept as the failure's code.</summary>
    public static string? TypeOf(string body)
    {
        try { return (JsonNode.Parse(body) as JsonObject)?["error"]?["type"]?.ToString(); }
        catch (JsonException) { return null; }
    }

    private static string Join(string? message, string? details) =>
        string.IsNullOrWhiteSpace(details) ? message ?? "" : $"{message}: {details}";
}
