namespace Paddock.OpenAI.Tests;

/// <summary>The repository's folder and the official OpenAI SDK for JavaScript, installed under tools/ by scripts/openai-node.sh.</summary>
internal static class OpenAINode
{
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Paddock.slnx"))) return dir.FullName;
            throw new InvalidOperationException("the repository root (Paddock.slnx) is not above the test's folder");
        }
    }

    /// <summary>Installs the SDK when it is missing; its node_modules folder (NODE_PATH for the scripts).</summary>
    public static async Task<string> InstallAsync()
    {
        var install = await Processes.RunAsync(Path.Combine(RepositoryRoot, "scripts", "openai-node.sh"), ["install"], timeout: TimeSpan.FromMinutes(5));
        Assert.True(install.ExitCode == 0, $"scripts/openai-node.sh install failed: {install.Stderr}");
        return install.Stdout.Trim();
    }
}
