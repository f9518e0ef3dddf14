using Paddock.Cli.Remote;

namespace Paddock.Cli.Commands;

/// <summary><c>paddock upload FILE --repo R [--branch main] [--path P]</c>: puts a file on the server's file routes.</summary>
internal static class UploadCommand
{
    private static readonly OptionSet Options = new(values: ["--repo", "--branch", "--path", "--namespace", "--message"], switches: []);

    public static Task<int> RunAsync(string[] args) => Invocation.RunAsync("upload", args, Options, RunAsync);

    private static async Task<int> RunAsync(Invocation invocation)
    {
        var args = invocation.Args;
        var file = args.Words(1, "one FILE: paddock upload FILE --repo REPO [--branch main] [--path PATH]")[0];
        var repo = args.Value("--repo") ?? throw new UsageException("upload needs --repo REPO (created on first upload)");
        if (!File.Exists(file)) throw new UsageException($"no file at {file}");
        var branch = args.Value("--branch") ?? "main";
        var path = args.Value("--path") ?? Path.GetFileName(file);
        if (path.EndsWith('/')) path += Path.GetFileName(file); // a folder: the file goes into it under its own name
        var ns = await KeyNamespace.ResolveAsync(invocation.Client, args.Value("--namespace"), CancellationToken.None);
        var result = await invocation.Client.UploadFileAsync(ns, repo, branch, path, file, args.Value("--message"));
        var uploaded = result.Files.FirstOrDefault();
        if (invocation.Output.Json)
        {
            invocation.Output.Document(result.Json);
            return ExitCodes.Ok;
        }
        var url = uploaded?.Url ?? invocation.Client.GetFileUri(ns, repo, branch, path);
        invocation.Output.Note($"Uploaded {file} to {ns}/{repo} on {branch} as {uploaded?.Path ?? path}{(result.CommitId is { } c ? $" (commit {c})" : "")}.");
        if (uploaded?.SignedUrl is { } signed) invocation.Output.Note($"Readable without a key until it expires: {signed}");
        invocation.Output.Result(url.ToString());
        return ExitCodes.Ok;
    }
}
