using System.Text.RegularExpressions;

namespace Paddock.Server.Tests;

/// <summary>The repository stands alone: what its documents point at is inside it.</summary>
public sealed partial class DocumentationTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Paddock.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("the repository root (Paddock.slnx) is not above the test's folder");
    }

    public static TheoryData<string> Documents => new(
        new[] { "README.md", "bench/README.md", "src/Paddock.Client/README.md" }
            .Concat(Directory.Exists(Path.Combine(Root, "docs")) ? Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Select(f => Path.GetRelativePath(Root, f)) : [])
            .Where(f => File.Exists(Path.Combine(Root, f))));

    [GeneratedRegex(@"\]\(([^)\s#]+)[^)]*\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"`(\.\./[^`\s]+)`")]
    private static partial Regex CodePathUp();

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_link_of_a_document_leads_to_a_file_of_the_repository(string document)
    {
        var text = File.ReadAllText(Path.Combine(Root, document));
        var folder = Path.GetDirectoryName(Path.Combine(Root, document))!;
        foreach (var target in MarkdownLink().Matches(text).Select(m => m.Groups[1].Value).Where(t => !t.Contains("://", StringComparison.Ordinal)))
        {
            var full = Path.GetFullPath(Path.Combine(folder, target));
            Assert.True(full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"{document} links to {target}, outside the repository");
            Assert.True(File.Exists(full) || Directory.Exists(full), $"{document} links to {target}, which does not exist");
        }
        // A path named in code that climbs out of the repository is a link a reader cannot follow either.
        foreach (var path in CodePathUp().Matches(text).Select(m => m.Groups[1].Value))
        {
            var full = Path.GetFullPath(Path.Combine(folder, path));
            Assert.True(full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"{document} names {path}, outside the repository");
        }
    }

    [GeneratedRegex(@"export const KEY_VARIABLE = ""([A-Z_]+)""")]
    private static partial Regex SnippetKeyVariable();

    [Fact]
    public void The_workbench_snippets_the_README_and_the_original_examples_read_the_key_from_one_variable()
    {
        var snippets = File.ReadAllText(Path.Combine(Root, "src", "Paddock.Server", "wwwroot", "snippets.js"));
        var variable = SnippetKeyVariable().Match(snippets).Groups[1].Value;
        // The original page's examples (kept as they are in Scripts/) read $OXEN_API_KEY.
        var seed = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Scripts", "async_sse_minimal.sh"));
        Assert.Contains($"${variable}", seed);
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        Assert.Contains($"export {variable}=", readme);
        Assert.Contains($"export {variable}=", File.ReadAllText(Path.Combine(Root, "src", "Paddock.Server", "wwwroot", "index.html")));
        Assert.DoesNotContain("PADDOCK_API_KEY", snippets);
    }

    [Fact]
    public void The_README_points_at_a_contract_inside_the_repository()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        Assert.Contains("](docs/API.md)", readme);
        var contract = File.ReadAllText(Path.Combine(Root, "docs", "API.md"));
        foreach (var route in new[] { "POST /api/ai/queue", "GET /api/events", "DELETE /api/ai/queue", "already_ended", "server_stopping" })
            Assert.Contains(route, contract);
    }
}
