using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Core.Validation;

namespace Paddock.Cli.Remote;

/// <summary>
/// <c>~/.config/paddock/config.json</c> (under <c>$XDG_CONFIG_HOME</c> when that is set): <c>{"server": ..., "key": ...}</c>.
/// It holds an API key, so it is written owner-only (mode 600, its folder 700) and replaced atomically.
/// </summary>
internal sealed class ConfigFile
{
    public static readonly string[] Names = ["server", "key"];

    private readonly JsonObject _document;

    private ConfigFile(string path, JsonObject document)
    {
        Path = path;
        _document = document;
    }

    public string Path { get; }

    public string? Server => Text("server");

    public string? Key => Text("key");

    public static string DefaultPath()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg) && System.IO.Path.IsPathRooted(xdg)
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return System.IO.Path.Combine(root, "paddock", "config.json");
    }

    public static ConfigFile Load() => Load(DefaultPath());

    public static ConfigFile Load(string path)
    {
        if (!File.Exists(path)) return new ConfigFile(path, []);
        var bytes = File.ReadAllBytes(path);
        try
        {
            return JsonNode.Parse(bytes) is JsonObject document
                ? new ConfigFile(path, document)
                : throw new UsageException($"{path} must hold a JSON object like {{\"server\": \"http://127.0.0.1:8080\", \"key\": \"pdk_...\"}}");
        }
        catch (JsonException)
        {
            throw new UsageException(RequestText.WhyNotJson(bytes, path, "{\"server\": \"http://127.0.0.1:8080\", \"key\": \"pdk_...\"}"));
        }
    }

    public string? Text(string name) =>
        _document[name] is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text) ? text : null;

    public void Set(string name, string? value)
    {
        if (value is null) _document.Remove(name);
        else _document[name] = value;
    }

    public void Save()
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // Written beside the old file with owner-only permissions from the start, then moved over it: the key is never
        // readable by others, not even for a moment, and a crash leaves the old file whole.
        var temporary = Path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                _document.WriteTo(writer);
            }
            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
