using System.CommandLine;
using System.Globalization;
using Paddock.Cli.CommandLine;
using Paddock.Cli.Remote;

namespace Paddock.Cli.Commands;

/// <summary><c>paddock files pin|unpin|delete PATH --repo R [--branch main]</c>: keep or remove a file uploaded with <c>paddock upload</c>.</summary>
internal static class FilesCommand
{
    private const string Forms = "files takes: pin PATH --repo REPO | unpin PATH --repo REPO | delete PATH --repo REPO  [--branch main] [--namespace NAME]";

    private static readonly Option<string> Repo = CliOption.Text("--repo", "REPO", "The repository the file is in").Require();
    private static readonly Option<string> Branch = CliOption.Text("--branch", "BRANCH", "The branch (default main)");
    private static readonly Option<string> Namespace = CliOption.Text("--namespace", "NAME", "The namespace (default: the key's)");

    public static PaddockCommand Create()
    {
        var command = new PaddockCommand("files", "Files uploaded to the server: pin one so it never expires, unpin it, or delete it")
        {
            WordsMissing = Forms,
            WordsExtra = Forms,
        };
        command.Add(WithPath("pin", "Keep a file forever, whatever the server's retention", (invocation, target) => PinAsync(invocation, target, pinned: true)));
        command.Add(WithPath("unpin", "Let a pinned file expire under the retention again", (invocation, target) => PinAsync(invocation, target, pinned: false)));
        command.Add(WithPath("delete", "Delete a file for good", DeleteAsync));
        RemoteOptions.AddTo(command);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, _ => throw new UsageException(Forms)));
        return command;
    }

    private sealed record FileTarget(string Namespace, string Repo, string Branch, string Path)
    {
        public override string ToString() => $"{Namespace}/{Repo}/{Branch}/{Path}";
    }

    private static PaddockCommand WithPath(string name, string description, Func<Invocation, FileTarget, Task<int>> run)
    {
        var path = new Argument<string>("PATH") { Description = "The file's path in the repository" };
        var command = new PaddockCommand(name, description) { WordsMissing = Forms, WordsExtra = Forms };
        command.Add(path);
        foreach (var option in new Option[] { Repo, Branch, Namespace }) command.Add(option);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, async invocation =>
        {
            var ns = await KeyNamespace.ResolveAsync(invocation.Client, invocation.Value(Namespace), CancellationToken.None);
            var target = new FileTarget(ns, invocation.Parse.GetRequiredValue(Repo), invocation.Value(Branch) ?? "main", parse.GetRequiredValue(path).Trim('/'));
            return await run(invocation, target);
        }));
        return command;
    }

    private static async Task<int> PinAsync(Invocation invocation, FileTarget target, bool pinned)
    {
        var expires = pinned
            ? await invocation.Client.PinFileAsync(target.Namespace, target.Repo, target.Branch, target.Path)
            : await invocation.Client.UnpinFileAsync(target.Namespace, target.Repo, target.Branch, target.Path);
        invocation.Output.Result(pinned
            ? $"Pinned {target}: it is kept until you delete it."
            : expires is { } at
                ? $"Unpinned {target}: it expires {at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)}."
                : $"Unpinned {target}: this server keeps files until they are deleted.");
        return ExitCodes.Ok;
    }

    private static async Task<int> DeleteAsync(Invocation invocation, FileTarget target)
    {
        await invocation.Client.DeleteFileAsync(target.Namespace, target.Repo, target.Branch, target.Path);
        invocation.Output.Result($"Deleted {target}.");
        return ExitCodes.Ok;
    }
}
