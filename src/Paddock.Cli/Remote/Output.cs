using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Cli.Remote;

/// <summary>
/// Where a command writes. stdout carries only the result: text for people, or with <c>--json</c> one JSON document (or
/// one per line for streams) and nothing else. Progress, notes and errors go to stderr; <c>--quiet</c> drops the notes.
/// </summary>
internal sealed class Output(bool json, bool quiet)
{
    // URLs keep their '&' and non-ASCII text stays readable; the output is never embedded in HTML.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public bool Json { get; } = json;

    public bool Quiet { get; } = quiet;

    /// <summary>A line of the human result on stdout (never in <c>--json</c> mode).</summary>
    public void Result(string text)
    {
        if (!Json) Console.Out.WriteLine(text);
    }

    /// <summary>The <c>--json</c> result: one indented document on stdout.</summary>
    public void Document(JsonNode? node) => Console.Out.WriteLine(node?.ToJsonString(Indented) ?? "null");

    public void Document(JsonElement element) => Console.Out.WriteLine(JsonSerializer.Serialize(element, Indented));

    /// <summary>One JSON document on one line, for streams (<c>paddock events --json</c>).</summary>
    public void JsonLine(JsonNode node) => Console.Out.WriteLine(node.ToJsonString(Compact));

    /// <summary>A note for people on stderr, unless <c>--quiet</c>.</summary>
    public void Note(string text)
    {
        if (!Quiet) Console.Error.WriteLine(text);
    }

    /// <summary>A problem, always on stderr.</summary>
    public static void Problem(string text) => Console.Error.WriteLine($"paddock: {text}");

    /// <summary>A JSON element as a mutable node, to add fields to before writing it.</summary>
    public static JsonObject ObjectOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object ? JsonNode.Parse(element.GetRawText())!.AsObject() : [];
}
