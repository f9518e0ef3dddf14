namespace Paddock.Core.Hosting;

/// <summary>Finds a program the way a shell would: a path as given, or a name in the folders of PATH.</summary>
public static class Executables
{
    public static string? Find(string program)
    {
        if (string.IsNullOrWhiteSpace(program)) return null;
        if (program.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)) return File.Exists(program) ? Path.GetFullPath(program) : null;
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
