namespace Paddock.Engines.ComfyUI.Templates;

/// <summary>
/// The workflow templates a comfyui backend knows, by model id: the ones shipped inside this assembly
/// (Workflows/*.manifest.json), then a deployment's own folder (<c>Templates</c> setting), whose templates add models
/// or replace a shipped one of the same model id.
/// </summary>
internal sealed class TemplateLibrary
{
    private const string ManifestSuffix = ".manifest.json";
    private const string ResourcePrefix = "Paddock.Engines.ComfyUI.Workflows.";
    private readonly Dictionary<string, WorkflowTemplate> _templates;

    private TemplateLibrary(Dictionary<string, WorkflowTemplate> templates) => _templates = templates;

    public WorkflowTemplate? Find(string model) => _templates.GetValueOrDefault(model);

    public IReadOnlyCollection<string> Models => _templates.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The shipped templates and those of <paramref name="folder"/>; every problem is added to <paramref name="problems"/>.</summary>
    public static TemplateLibrary Load(string? folder, string settingKey, ICollection<string> problems)
    {
        var templates = new Dictionary<string, WorkflowTemplate>(StringComparer.Ordinal);
        foreach (var template in Shipped())
            templates[template.Model] = template;
        if (string.IsNullOrWhiteSpace(folder)) return new TemplateLibrary(templates);
        if (!Directory.Exists(folder))
        {
            problems.Add($"{settingKey} is '{folder}', which is not a folder here");
            return new TemplateLibrary(templates);
        }
        var found = false;
        foreach (var manifest in Directory.EnumerateFiles(folder, "*" + ManifestSuffix).Order(StringComparer.Ordinal))
        {
            found = true;
            string? ReadBeside(string name)
            {
                var path = Path.Combine(folder, name);
                return Path.GetFileName(name) == name && File.Exists(path) ? File.ReadAllText(path) : null;
            }
            var template = WorkflowTemplate.Parse(File.ReadAllText(manifest), ReadBeside, $"{settingKey}: {Path.GetFileName(manifest)}", problems);
            if (template is not null) templates[template.Model] = template;
        }
        if (!found) problems.Add($"{settingKey} is '{folder}', which holds no *{ManifestSuffix} (each model needs MODEL{ManifestSuffix} and its workflow file)");
        return new TemplateLibrary(templates);
    }

    /// <summary>The templates inside this assembly; a broken one is a bug of Paddock's, so it throws.</summary>
    public static IReadOnlyList<WorkflowTemplate> Shipped()
    {
        var assembly = typeof(TemplateLibrary).Assembly;
        string? Read(string file)
        {
            using var stream = assembly.GetManifestResourceStream(ResourcePrefix + file);
            if (stream is null) return null;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        var templates = new List<WorkflowTemplate>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(ManifestSuffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var file = name[ResourcePrefix.Length..];
            var problems = new List<string>();
            var template = WorkflowTemplate.Parse(Read(file)!, Read, $"shipped template {file}", problems);
            if (template is null) throw new InvalidDataException(string.Join("; ", problems));
            templates.Add(template);
        }
        return templates;
    }
}
