using System.Text.Json.Nodes;
using Paddock.Core.Engines;

namespace Paddock.Engines.Upstream.Remote;

/// <summary>The body the upstream gets: this generation's request fields as stored here, with its images at URLs the upstream can reach.</summary>
internal static class UpstreamRequest
{
    /// <param name="imageUrls">One URL per reference, Image 1 first (an image-to-video model's input image is Image 1).</param>
    /// <param name="schema">The local model's request schema, to decide which fields a job without stored fields has (a render outside the queue).</param>
    public static JsonObject Fields(RenderJob job, IReadOnlyList<string> imageUrls, JsonObject? schema)
    {
        var fields = job.Parameters is { } stored ? (JsonObject)stored.DeepClone() : FromJob(job, schema);
        fields.Remove("model");
        if (fields.ContainsKey("input_image"))
        {
            if (imageUrls.Count > 0) fields["input_image"] = imageUrls[0];
        }
        else if (imageUrls.Count > 0 || fields.ContainsKey("reference_images"))
        {
            fields["reference_images"] = new JsonArray(imageUrls.Select(u => (JsonNode?)JsonValue.Create(u)).ToArray());
        }
        return fields;
    }

    /// <summary>The fields a job stands for, limited to those the model's schema has (when known).</summary>
    private static JsonObject FromJob(RenderJob job, JsonObject? schema)
    {
        var properties = schema?["properties"] as JsonObject;
        bool Has(string name) => properties is null || properties.ContainsKey(name);
        var fields = new JsonObject { ["prompt"] = job.Prompt };
        if (properties?.ContainsKey("input_image") == true) fields["input_image"] = null;
        if (Has("aspect_ratio") && properties?.ContainsKey("input_image") != true) fields["aspect_ratio"] = job.AspectRatio;
        if (Has("resolution")) fields["resolution"] = job.Resolution;
        if (Has("duration")) fields["duration"] = job.DurationSeconds;
        if (Has("seed")) fields["seed"] = job.Seed;
        return fields;
    }
}
