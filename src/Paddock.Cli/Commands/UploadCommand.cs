using System.CommandLine;
using Paddock.Cli.CommandLine;
using Paddock.Cli.Remote;

namespace Paddock.Cli.Commands;

/// <summary><c>paddock upload FILE --repo R [--branch main] [--path P]</c>: puts a file on the server's file routes.</summary>
internal static class UploadCommand
{
    private const string Forms = "upload takes one FILE: paddock upload FILE --repo REPO [--branch main] [--path PATH]";

    private static readonly Argument<string> FileArgument = new("FILE") { Description = "The file to upload" };
    private static readonly Option<string> Repo = CliOption.Text("--repo", "REPO", "The repository to put it in (created on first upload)").Require();
    private static readonly Option<string> Branch = CliOption.Text("--branch", "BRANCH", "The branch (default main)");
    private static readonly Option<string> PathOption = CliOption.Text("--path", "PATH", "Its path in the repository (default: its name; PATH/ keeps the name in that folder)");
    private static readonly Option<string> Namespace = CliOption.Text("--namespace", "NAME", "The namespace (default: the key's)");
    private static readonly Option<string> Message = CliOption.Text("--message", "TEXT", "The commit message");

    public static PaddockCommand Create()
    {
        var command = new PaddockCommand("upload", "Put a file on the server's file routes and print its URL")
        {
            WordsMissing = Forms,
            WordsExtra = Forms,
        };
        command.Add(FileArgument);
        foreach (var option in new Option[] { Repo, Branch, PathOption, Namespace, Message }) command.Add(option);
        RemoteOptions.AddTo(command);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(Invocation invocation)
    {
        var file = invocation.Parse.GetRequiredValue(FileArgument);
        var repo = invocation.Parse.GetRequiredValue(Repo);
        if (!File.Exists(file)) throw new UsageException($"no file at {file}");
        var branch = invocation.Value(Branch) ?? "main";
        var path = invocation.Value(PathOption) ?? Path.GetFileName(file);
        if (path.EndsWith('/')) path += Path.GetFileName(file); // a folder: the file goes into it under its own name
        var ns = await KeyNamespace.ResolveAsync(invocation.Client, invocation.Value(Namespace), CancellationToken.None);
        var result = await invocation.Client.UploadFileAsync(ns, repo, branch, path, file, invocation.Value(Message));
        var uploaded = result.Files.FirstOrDefault();
        if (invocation.Output.Json)
        {
            invocation.Output.Document(result.Json);
            return ExitCodes.Ok;
        }
        var url = uploaded?.Url ?? invocation.Client.GetFileUri(ns, repo, branch, path);
        invocation.Output.Note($"Uploaded {file} to {ns}/{repo} on {branch} as {uploaded?.Path ?? path}{(result.CommitId is { } c ? $" (commit {c})" : "")}.");
        if (uploaded?.SignedUrl is { } signed) invocation.Output.Note($"Readable without a key until it expires: {signed}");
        if (uploaded?.ExpiresAt is { } expires)
            invocation.Output.Note($"This server deletes it at {expires.ToLocalTime():yyyy-MM-dd HH:mm:ss zzz} (its retention); keep it with: paddock files pin {uploaded.Path} --repo {repo}");
        invocation.Output.Result(url.ToString());
        return ExitCodes.Ok;
    }
}
