using System.Security.Cryptography;
using Paddock.Client;
using Paddock.Core.References;

namespace Paddock.Cli.Remote;

/// <summary>
/// Turns <c>-i</c> arguments into URLs the server can fetch: <c>http(s)://</c> and <c>data:</c> URLs pass through; a
/// local file is uploaded to the key's namespace, repository <c>cli-uploads</c>, branch <c>main</c>, at a path made of
/// its content hash (so the same picture always gets the same URL), and its file-route URL is used — the server reads
/// its own files from storage with the request's rights.
/// </summary>
internal static class ReferenceUploader
{
    public const string Repository = "cli-uploads";
    public const string Branch = "main";

    public static bool IsUrl(string text) =>
        text.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || text.StartsWith("data:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks before anything is sent that every local file exists (a usage error otherwise).</summary>
    public static void CheckLocalFiles(IEnumerable<string> images)
    {
        foreach (var image in images.Where(i => !IsUrl(i)))
        {
            if (!File.Exists(image)) throw new UsageException($"no file at {image} (give a local image file or an http(s) URL)");
        }
    }

    /// <summary>
    /// Checks every local image against the server's reference rules (<see cref="ReferenceRules"/>, the very code the
    /// server runs) before anything is uploaded: a file the server would refuse is not sent at all. Every image with a
    /// problem is named as the server names it (<c>reference_images[1]: ...</c>, or <c>input_image: ...</c>).
    /// </summary>
    /// <exception cref="GenerationEndedException">
    /// At least one local image breaks the rules: exit 1, as when the server refuses a reference, so a script sees the
    /// same code whether the check ran here or there; nothing was sent.
    /// </exception>
    public static async Task CheckLocalImagesAsync(IReadOnlyList<string> images, string field, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        for (var i = 0; i < images.Count; i++)
        {
            if (IsUrl(images[i])) continue; // the server fetches and checks those itself
            var name = field == "reference_images" ? $"reference_images[{i}]" : field;
            var length = new FileInfo(images[i]).Length;
            var problem = ReferenceRules.CheckSize(length)
                ?? ReferenceRules.Check(await File.ReadAllBytesAsync(images[i], cancellationToken), out _);
            if (problem is not null) problems.Add($"{name}: {problem} ({images[i]})");
        }
        if (problems.Count > 0)
            throw new GenerationEndedException("", string.Join("; ", problems) + ". Nothing was uploaded or queued.");
    }

    /// <param name="invocation">The command's invocation (its client and notes).</param>
    /// <param name="images">The <c>-i</c> arguments.</param>
    /// <param name="givenNamespace">The <c>--namespace</c> to upload into, else the key's own.</param>
    /// <param name="cancellationToken">Ends the uploads.</param>
    public static async Task<IReadOnlyList<string>> ResolveAsync(Invocation invocation, IReadOnlyList<string> images, string? givenNamespace, CancellationToken cancellationToken)
    {
        var urls = new List<string>();
        string? ns = null;
        foreach (var image in images)
        {
            if (IsUrl(image))
            {
                urls.Add(image);
                continue;
            }
            ns ??= await KeyNamespace.ResolveAsync(invocation.Client, givenNamespace, cancellationToken);
            var path = await ContentPathAsync(image, cancellationToken);
            var result = await invocation.Client.UploadFileAsync(ns, Repository, Branch, path, image, cancellationToken);
            var url = result.Files.FirstOrDefault()?.Url ?? invocation.Client.GetFileUri(ns, Repository, Branch, path);
            invocation.Output.Note($"Uploaded {image} → {url}");
            urls.Add(url.ToString());
        }
        return urls;
    }

    private static async Task<string> ContentPathAsync(string file, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file);
        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        var extension = Path.GetExtension(file).ToLowerInvariant();
        if (extension.Length is < 2 or > 6 || !extension[1..].All(char.IsAsciiLetterOrDigit)) extension = "";
        return hash + extension;
    }
}
