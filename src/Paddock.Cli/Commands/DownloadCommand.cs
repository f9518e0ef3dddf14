using System.CommandLine;
using System.Text.Json.Nodes;
using Paddock.Cli.CommandLine;
using Paddock.Cli.Remote;
using Paddock.Client;

namespace Paddock.Cli.Commands;

/// <summary>
/// <c>paddock download URL_OR_ID [-o FILE] [--force]</c>: a generation's video (by id) or any URL (a result URL, a file
/// route, a path on the server), saved with resume: an interrupted download continues where it stopped. Without
/// <c>-o</c> the file is named after the id or the URL, and an existing file of that name is kept unless <c>--force</c>.
/// </summary>
internal static class DownloadCommand
{
    private const string Forms = "download takes one URL or GENERATION_ID: paddock download URL_OR_ID -o FILE";

    private static readonly Argument<string> Target = new("URL_OR_ID") { Description = "A generation id, a URL, or a path on the server (/api/...)" };
    private static readonly Option<string> OutputFile = CliOption.Text("--output", "FILE", "Where to save it (default: named after the id or the URL)", "-o");
    private static readonly Option<bool> Force = CliOption.Switch("--force", "Replace an existing file of the default name", "-f");

    public static PaddockCommand Create()
    {
        var command = new PaddockCommand("download", "Save a generation's video, or any file of the server, resuming an interrupted download")
        {
            WordsMissing = Forms,
            WordsExtra = Forms,
        };
        command.Add(Target);
        command.Add(OutputFile);
        command.Add(Force);
        RemoteOptions.AddTo(command);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(Invocation invocation)
    {
        var target = invocation.Parse.GetRequiredValue(Target);
        var client = invocation.Client;
        Uri url;
        string? generationId = null;
        if (Uri.TryCreate(target, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            url = absolute;
        }
        else if (target.StartsWith('/') || target.StartsWith("api/", StringComparison.Ordinal))
        {
            url = new Uri(client.Endpoint, target.TrimStart('/'));
        }
        else
        {
            generationId = target;
            var row = await client.GetGenerationAsync(target);
            if (row.Status != GenerationStatus.Succeeded || row.ResultUrl is null)
            {
                var why = row.Status == GenerationStatus.Failed ? $"failed: {row.ErrorMessage}"
                    : row.Status == GenerationStatus.Cancelled ? "was cancelled"
                    : row.ExpiredAt is { } expired ? $"expired at {expired.ToLocalTime():yyyy-MM-dd HH:mm:ss zzz} and was deleted under the server's retention setting ('paddock queue pin ID' keeps the next one)"
                    : $"is {row.Status}; wait for it with 'paddock events --generation {row.Id}'";
                throw new GenerationEndedException(row.Id, $"generation {row.Id} has no video: it {why}");
            }
            url = row.ResultUrl;
        }

        var file = invocation.Value(OutputFile) ?? DefaultName(url, generationId);
        // A name the command chose must not silently replace a file the user has; one the user gave (-o) may.
        if (invocation.Value(OutputFile) is null && !invocation.Value(Force) && File.Exists(file))
            throw new UsageException($"{file} already exists; choose another name with -o FILE, or replace it with --force");
        var size = await client.DownloadToFileAsync(url, file);
        var full = Path.GetFullPath(file);
        invocation.Output.Note($"Saved {file} ({GenerateCommand.Bytes(size)}).");
        if (invocation.Output.Json)
        {
            var document = new JsonObject { ["url"] = url.ToString(), ["output_file"] = full, ["bytes"] = size };
            if (generationId is not null) document["generation_id"] = generationId;
            invocation.Output.Document(document);
        }
        invocation.Output.Result(full);
        return ExitCodes.Ok;
    }

    private static string DefaultName(Uri url, string? generationId)
    {
        if (generationId is not null) return generationId + ".mp4";
        var name = Uri.UnescapeDataString(url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "");
        return name.Length > 0 && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0 && name is not ("." or "..") ? name : "download";
    }
}
