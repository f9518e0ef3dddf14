using System.Text.Json.Nodes;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Fakes.ComfyUI.Tests.Support;

/// <summary>
/// A shipped workflow template with its manifest, as files beside the tests (read as a deployment reads its own), and
/// filled for a pass by the engine's own filler (<see cref="WorkflowTemplate"/>), so the fake is driven with exactly the
/// graphs Paddock sends.
/// </summary>
internal sealed class ShippedWorkflow
{
    private readonly WorkflowTemplate _template;

    private ShippedWorkflow(string name, JsonObject manifest, JsonObject workflow, WorkflowTemplate template)
    {
        Name = name;
        Manifest = manifest;
        Workflow = workflow;
        _template = template;
    }

    public string Name { get; }
    public JsonObject Manifest { get; }
    public JsonObject Workflow { get; }

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Shipped", "Workflows");

    public static IEnumerable<string> Names => Directory.EnumerateFiles(Folder, "*.manifest.json")
        .Select(f => Path.GetFileName(f)[..^".manifest.json".Length]).Order();

    public static ShippedWorkflow Load(string name)
    {
        var manifestText = File.ReadAllText(Path.Combine(Folder, $"{name}.manifest.json"));
        var manifest = JsonNode.Parse(manifestText)!.AsObject();
        var workflow = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, manifest["workflow"]!.GetValue<string>())))!.AsObject();
        var problems = new List<string>();
        var template = WorkflowTemplate.Parse(manifestText, file => File.ReadAllText(Path.Combine(Folder, file)), name, problems)
            ?? throw new InvalidDataException(string.Join("; ", problems));
        return new ShippedWorkflow(name, manifest, workflow, template);
    }

    public int MaxReferences => Manifest["references"]!["max"]!.GetValue<int>();
    public string OutputNode => Manifest["output"]!["node"]!.GetValue<string>();
    public int NativeFps => Manifest["native"]!["fps"]!.GetValue<int>();

    public JsonObject Fill(PassRequest pass) => _template.Fill(pass);
}
