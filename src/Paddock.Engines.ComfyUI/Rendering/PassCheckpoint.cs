using System.Text.Json.Nodes;
using Paddock.Core.Engines;
using Paddock.Engines.ComfyUI.Protocol;

namespace Paddock.Engines.ComfyUI.Rendering;

/// <summary>A finished pass's video, on the server that wrote it.</summary>
internal sealed record PassOutput(string Member, ComfyFile File);

/// <summary>
/// What a generation records before each pass is queued (the RemoteJob's Data; its Id is the pass's prompt id), so an
/// attempt that takes over finds the prompt on its server (<see cref="Member"/>, socket messages for
/// <see cref="ClientId"/>) and fetches the passes already made from where they were written.
/// </summary>
internal sealed record PassCheckpoint(string Member, string ClientId, int Pass, int Passes, IReadOnlyList<PassOutput> Outputs)
{
    public JsonObject ToData() => new()
    {
        ["member"] = Member,
        ["client_id"] = ClientId,
        ["pass"] = Pass,
        ["passes"] = Passes,
        ["outputs"] = new JsonArray(Outputs.Select(o =>
        {
            var file = o.File.ToJson();
            file["member"] = o.Member;
            return (JsonNode)file;
        }).ToArray()),
    };

    /// <summary>The checkpoint an earlier attempt left, or null when there is none (or it is not one of ours).</summary>
    public static PassCheckpoint? From(RemoteJob? job)
    {
        if (job?.Id is null || job.Data is not { } data) return null;
        if (job.DataString("member") is not { } member || job.DataString("client_id") is not { } client) return null;
        if (data["pass"] is not JsonValue p || !p.TryGetValue<int>(out var pass) || data["passes"] is not JsonValue n || !n.TryGetValue<int>(out var passes)) return null;
        var outputs = new List<PassOutput>();
        foreach (var item in data["outputs"] as JsonArray ?? [])
        {
            if (ComfyFile.From(item) is { } file && item?["member"]?.ToString() is { } where) outputs.Add(new PassOutput(where, file));
            else return null;
        }
        return outputs.Count == pass ? new PassCheckpoint(member, client, pass, passes, outputs) : null;
    }
}
