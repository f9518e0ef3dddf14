namespace Paddock.Fakes.ComfyUI.Storage;

/// <summary>
/// The server's input/, output/ and temp/ folders (folder_paths.py). Every path that comes from a request is
/// resolved here and refused when it would leave its folder, as server.py does with os.path.commonpath.
/// </summary>
internal sealed class FakeFolders
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase)
        { ".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff" };
    private static readonly HashSet<string> VideoExtensions = new(StringComparer.OrdinalIgnoreCase)
        { ".mp4", ".webm", ".mkv", ".mov", ".avi", ".m4v" };

    public FakeFolders(string root)
    {
        Root = Path.GetFullPath(root);
        Input = Path.Combine(Root, "input");
        Output = Path.Combine(Root, "output");
        Temp = Path.Combine(Root, "temp");
        Directory.CreateDirectory(Input);
        Directory.CreateDirectory(Output);
        Directory.CreateDirectory(Temp);
    }

    public string Root { get; }
    public string Input { get; }
    public string Output { get; }
    public string Temp { get; }

    /// <summary>folder_paths.get_directory_by_type: only these three names exist.</summary>
    public string? ByType(string type) => type switch
    {
        "input" => Input,
        "output" => Output,
        "temp" => Temp,
        _ => null,
    };

    /// <summary>A path under <paramref name="baseDir"/>, or null when the result would escape it.</summary>
    public static string? Inside(string baseDir, params string[] parts)
    {
        var full = Path.GetFullPath(Path.Combine([baseDir, .. parts]));
        var root = Path.GetFullPath(baseDir);
        return full == root || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    /// <summary>What LoadImage / LoadVideo list as their options: the files directly in input/, by content type, sorted.</summary>
    public List<string> InputFiles(string kind)
    {
        var wanted = kind == "video" ? VideoExtensions : ImageExtensions;
        return Directory.EnumerateFiles(Input)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => wanted.Contains(Path.GetExtension(name)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>folder_paths.exists_annotated_filepath: "name", "sub/name" or "name [output]" relative to its folder.</summary>
    public bool AnnotatedFileExists(string name)
    {
        var folder = Input;
        foreach (var (suffix, dir) in new[] { (" [output]", Output), (" [input]", Input), (" [temp]", Temp) })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                name = name[..^suffix.Length];
                folder = dir;
                break;
            }
        }
        var path = name.Length == 0 ? null : Inside(folder, name);
        return path is not null && File.Exists(path);
    }

    public string? AnnotatedFilePath(string name)
    {
        foreach (var (suffix, dir) in new[] { (" [output]", Output), (" [input]", Input), (" [temp]", Temp) })
            if (name.EndsWith(suffix, StringComparison.Ordinal)) return Inside(dir, name[..^suffix.Length]);
        return Inside(Input, name);
    }
}
