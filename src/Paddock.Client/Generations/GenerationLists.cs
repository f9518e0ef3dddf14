using System.Text.Json;
using Paddock.Client.Internal;

namespace Paddock.Client;

/// <summary>Filters for listing generations. Without a status, <c>GET /api/ai/queue</c> lists only active ones (queued and processing).</summary>
public sealed class ListGenerationsOptions
{
    /// <summary>Only rows with one of these statuses. More than one is sent comma-separated (a Paddock extension).</summary>
    public IList<GenerationStatus> Statuses { get; } = new List<GenerationStatus>();

    /// <summary>Every status, terminal ones included (sends <c>status=all</c>; wins over <see cref="Statuses"/>).</summary>
    public bool AllStatuses { get; set; }

    /// <summary>Only rows of this model.</summary>
    public string? Model { get; set; }

    /// <summary>Only rows of this media type (<c>video</c>).</summary>
    public string? MediaType { get; set; }

    /// <summary>Only rows of this namespace (the key's own; another is refused with 403).</summary>
    public string? Namespace { get; set; }

    internal IEnumerable<KeyValuePair<string, string?>> ToQuery()
    {
        var status = AllStatuses ? "all" : Statuses.Count > 0 ? string.Join(",", Statuses.Select(s => s.ToString())) : null;
        yield return new("status", status);
        yield return new("model", Model);
        yield return new("media_type", MediaType);
        yield return new("namespace", Namespace);
    }
}

/// <summary>The answer of <c>GET /api/ai/queue</c>: matching rows, newest first.</summary>
public sealed class GenerationList
{
    internal GenerationList(JsonElement json)
    {
        Json = json;
        Generations = Internal.Json.Items(json, "generations").Where(g => g.ValueKind == JsonValueKind.Object).Select(Generation.FromJson).ToList();
        Count = Internal.Json.Int32(json, "count") ?? Generations.Count;
    }

    /// <summary>How many rows matched, as the server counted them.</summary>
    public int Count { get; }

    /// <summary>The rows, newest first.</summary>
    public IReadOnlyList<Generation> Generations { get; }

    /// <summary>The answer exactly as the server sent it.</summary>
    public JsonElement Json { get; }
}

/// <summary>One page of <c>GET /api/ai/generations</c>.</summary>
public sealed class GenerationPage
{
    internal GenerationPage(JsonElement json, int requestedPage, int requestedSize)
    {
        Json = json;
        Generations = Internal.Json.Items(json, "generations").Where(g => g.ValueKind == JsonValueKind.Object).Select(Generation.FromJson).ToList();
        Count = Internal.Json.Int32(json, "count") ?? Generations.Count;
        PageNumber = Internal.Json.Int32(json, "page_number") ?? requestedPage;
        PageSize = Internal.Json.Int32(json, "page_size") ?? requestedSize;
        TotalPages = Internal.Json.Int32(json, "total_pages");
        TotalEntries = Internal.Json.Int64(json, "total_entries");
    }

    /// <summary>Rows on this page.</summary>
    public int Count { get; }

    /// <summary>The rows, newest first.</summary>
    public IReadOnlyList<Generation> Generations { get; }

    /// <summary>This page's number, from 1.</summary>
    public int PageNumber { get; }

    /// <summary>Rows per page.</summary>
    public int PageSize { get; }

    /// <summary>How many pages there are, when the server says.</summary>
    public int? TotalPages { get; }

    /// <summary>How many rows there are in all, when the server says.</summary>
    public long? TotalEntries { get; }

    /// <summary>The answer exactly as the server sent it.</summary>
    public JsonElement Json { get; }
}
