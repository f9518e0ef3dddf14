using System.Text.Json.Nodes;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Engines.ComfyUI.Tests;

/// <summary>A deployment's own templates folder: added by model id, and a broken template named with its problem at start.</summary>
public sealed class TemplateTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("comfy-templates-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_deployment_template_adds_a_model_and_a_broken_one_is_named_with_what_is_wrong()
    {
        var shipped = typeof(TemplateLibrary).Assembly;
        string Read(string file)
        {
            using var stream = shipped.GetManifestResourceStream("Paddock.Engines.ComfyUI.Workflows." + file)!;
            return new StreamReader(stream).ReadToEnd();
        }
        // A copy of Phantom served under another model id: a deployment's own variant.
        var manifest = JsonNode.Parse(Read("phantom-wan-r2v.manifest.json"))!.AsObject();
        manifest["model"] = "my-phantom";
        manifest["workflow"] = "my-phantom.workflow.json";
        File.WriteAllText(Path.Combine(_folder, "my-phantom.manifest.json"), manifest.ToJsonString());
        File.WriteAllText(Path.Combine(_folder, "my-phantom.workflow.json"), Read("phantom-wan-r2v.workflow.json"));

        var problems = new List<string>();
        var library = TemplateLibrary.Load(_folder, "Paddock:Backends:gpu:Templates", problems);
        Assert.Empty(problems);
        Assert.Equal(["my-phantom", "phantom-wan-r2v", "wan2.1-vace-r2v"], library.Models);

        // The seed bound to a node the workflow does not have.
        manifest["bindings"]!["seed"] = JsonNode.Parse("""[{"node": "99", "input": "seed"}]""");
        File.WriteAllText(Path.Combine(_folder, "my-phantom.manifest.json"), manifest.ToJsonString());
        TemplateLibrary.Load(_folder, "Paddock:Backends:gpu:Templates", problems);
        Assert.Equal(["Paddock:Backends:gpu:Templates: my-phantom.manifest.json: bindings.seed names node 99, which my-phantom.workflow.json does not have"], problems);
    }
}
