using System.Text.Json;
using Paddock.Core.Engines;

namespace Paddock.Engines.Builtin.Tests;

/// <summary>
/// The test assembly's entry point, for checks that need a second process:
/// <c>dotnet Paddock.Engines.Builtin.Tests.dll render JOB.json OUT.mp4</c> renders a job the way the
/// server would, in a fresh process (fresh JIT, fresh Skia, another address space).
/// </summary>
public static class HelperProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["render", var jobFile, var output])
        {
            await Console.Error.WriteLineAsync("usage: render JOB.json OUT.mp4");
            return 2;
        }

        var job = JobFile.Read(jobFile);
        await new BuiltinVideoEngine(new BuiltinEngineOptions { Preset = "ultrafast" }).RenderAsync(job, output, new ProgressLog(), CancellationToken.None);
        return 0;
    }
}

/// <summary>A render job as a file: the prompt, sizes, seed, and the paths of its reference images.</summary>
internal static class JobFile
{
    public static void Write(RenderJob job, string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        var references = job.References.Select(r =>
        {
            var file = Path.Combine(directory, $"reference{r.Index}");
            File.WriteAllBytes(file, r.Bytes);
            return new { r.Index, File = file, r.MediaType, r.Width, r.Height };
        }).ToList();
        File.WriteAllText(path, JsonSerializer.Serialize(new { job.Prompt, job.Width, job.Height, job.FramesPerSecond, job.FrameCount, job.Seed, References = references }));
    }

    public static RenderJob Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var references = root.GetProperty("References").EnumerateArray().Select(r => new ReferenceImage(
            r.GetProperty("Index").GetInt32(), r.GetProperty("File").GetString()!, File.ReadAllBytes(r.GetProperty("File").GetString()!),
            r.GetProperty("MediaType").GetString()!, r.GetProperty("Width").GetInt32(), r.GetProperty("Height").GetInt32())).ToList();
        return new RenderJob(Guid.NewGuid(), "happyhorse-1.0-r2v", root.GetProperty("Prompt").GetString()!, references,
            root.GetProperty("Width").GetInt32(), root.GetProperty("Height").GetInt32(), root.GetProperty("FramesPerSecond").GetInt32(),
            root.GetProperty("FrameCount").GetInt32(), root.GetProperty("Seed").GetInt64());
    }
}
