using System.Text.Json.Nodes;
using Paddock.Engines.ComfyUI.Protocol;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Engines.ComfyUI.Pool;

/// <summary>
/// What a server lacks to run a template: node classes not in its <c>/object_info</c>, model files not among its
/// loaders' choices (or its <c>/models/{folder}</c> list). Said in words a person can act on.
/// </summary>
internal static class Capabilities
{
    /// <summary>Null when <paramref name="server"/> has everything <paramref name="template"/> needs; otherwise what is missing.</summary>
    public static async Task<string?> MissingAsync(WorkflowTemplate template, JsonObject objectInfo, ComfyClient server, TimeSpan timeout, CancellationToken ct)
    {
        var missing = new List<string>();
        var classes = template.NodeClasses.Where(c => objectInfo[c] is not JsonObject).ToList();
        if (classes.Count > 0)
            missing.Add($"node class{(classes.Count > 1 ? "es" : "")} {string.Join(", ", classes)} (install the custom node that provides {(classes.Count > 1 ? "them" : "it")}, or update ComfyUI)");
        foreach (var file in template.ModelFiles)
        {
            var choices = Choices(objectInfo, template.ClassOf(file.Node), file.Input)
                ?? await server.ModelFilesAsync(file.Folder, ct, timeout).ConfigureAwait(false);
            if (!choices.Contains(file.File, StringComparer.Ordinal))
                missing.Add($"model file {file.File} in models/{file.Folder}{(file.Source is { Length: > 0 } source ? $" (from {source})" : "")}");
        }
        return missing.Count == 0 ? null : $"{server.BaseUri} lacks {string.Join("; ", missing)}";
    }

    /// <summary>A combo input's choices: <c>[[choices…], {…}]</c> (classic nodes) or <c>["COMBO", {"options": […]}]</c> (newer ones).</summary>
    private static IReadOnlyList<string>? Choices(JsonObject objectInfo, string? classType, string input)
    {
        if (classType is null || objectInfo[classType]?["input"] is not JsonObject inputs) return null;
        var spec = inputs["required"]?[input] ?? inputs["optional"]?[input];
        if (spec is not JsonArray { Count: > 0 } pair) return null;
        if (pair[0] is JsonArray list) return list.Select(c => c?.ToString() ?? "").ToList();
        if (pair[0]?.ToString() == "COMBO" && pair.Count > 1 && pair[1]?["options"] is JsonArray options) return options.Select(c => c?.ToString() ?? "").ToList();
        return null;
    }
}
