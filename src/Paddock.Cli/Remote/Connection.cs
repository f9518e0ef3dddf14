using Paddock.Client;

namespace Paddock.Cli.Remote;

/// <summary>
/// Which server and key a command uses, and where each came from: a flag (<c>--server</c>, <c>--key</c>) wins over the
/// environment (<c>PADDOCK_URL</c>; <c>PADDOCK_API_KEY</c>, else <c>OXEN_API_KEY</c>, the variable of the original API's
/// examples, so a shell set up for them works with this command too), which wins over the config file. Without any,
/// the server is the one <c>paddock serve</c> starts by default; a key has no default.
/// </summary>
internal sealed record Connection(Uri Server, string ServerSource, string? Key, string KeySource)
{
    public const string DefaultServer = "http://127.0.0.1:8080";
    public const string ServerVariable = "PADDOCK_URL";
    public const string KeyVariable = "PADDOCK_API_KEY";

    /// <summary>The key variable of the original API's examples (and of this README and the workbench's snippets).</summary>
    public const string ExampleKeyVariable = "OXEN_API_KEY";

    /// <param name="serverFlag">The value of <c>--server</c>, if given.</param>
    /// <param name="keyFlag">The value of <c>--key</c>, if given.</param>
    public static Connection Resolve(string? serverFlag, string? keyFlag)
    {
        var config = ConfigFile.Load();
        var (server, serverSource) = Pick(serverFlag, "--server", [ServerVariable], config.Server, config.Path)
            ?? (DefaultServer, "the default");
        var key = Pick(keyFlag, "--key", [KeyVariable, ExampleKeyVariable], config.Key, config.Path);
        return new Connection(ParseServer(server, serverSource), serverSource, key?.Value, key?.Source ?? "nowhere");
    }

    public static Uri ParseServer(string text, string source)
    {
        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !string.IsNullOrEmpty(uri.Host))
            return uri;
        throw new UsageException($"the server address '{text}' (from {source}) must be an http:// or https:// URL, e.g. {DefaultServer}");
    }

    private static (string Value, string Source)? Pick(string? flag, string flagName, string[] variables, string? fromFile, string file)
    {
        if (!string.IsNullOrWhiteSpace(flag)) return (flag, flagName);
        foreach (var variable in variables)
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } env && !string.IsNullOrWhiteSpace(env)) return (env, variable);
        }
        if (fromFile is not null) return (fromFile, file);
        return null;
    }

    /// <summary>The variable of the admin key, which <c>paddock admin</c> reads (never the namespace key's variables).</summary>
    public const string AdminKeyVariable = "PADDOCK_ADMIN_KEY";

    /// <summary>As <see cref="Resolve"/>, for <c>paddock admin</c>: the key from <c>--key</c>, else <see cref="AdminKeyVariable"/> (no config file entry: the admin key is not kept on disk by this command).</summary>
    public static Connection ResolveAdmin(string? serverFlag, string? keyFlag)
    {
        var config = ConfigFile.Load();
        var (server, serverSource) = Pick(serverFlag, "--server", [ServerVariable], config.Server, config.Path) ?? (DefaultServer, "the default");
        var key = Pick(keyFlag, "--key", [AdminKeyVariable], null, config.Path);
        return new Connection(ParseServer(server, serverSource), serverSource, key?.Value, key?.Source ?? "nowhere");
    }

    /// <summary>The admin API's client for this server and the admin key; a missing key is an authentication error (exit 3).</summary>
    public Paddock.Client.Admin.PaddockAdminClient CreateAdminClient()
    {
        if (Key is null)
            throw new AuthenticationMissingException(
                $"no admin key: pass --key ADMIN_KEY or set {AdminKeyVariable} (the key of the server's Paddock:Admin:Key; 'paddock admin new-key' makes one)");
        return new Paddock.Client.Admin.PaddockAdminClient(Server, Key.Trim(), new PaddockClientOptions { UserAgent = "paddock-cli/" + Version });
    }

    /// <summary>The SDK client for this server and key; a missing key is an authentication error (exit 3).</summary>
    public PaddockClient CreateClient()
    {
        if (Key is null)
            throw new AuthenticationMissingException(
                $"no API key: pass --key KEY, set {ExampleKeyVariable} (or {KeyVariable}), or run 'paddock config set key KEY' (the server prints its first key when it starts)");
        return new PaddockClient(Server, Key.Trim(), new PaddockClientOptions { UserAgent = "paddock-cli/" + Version });
    }

    public static string Version =>
        typeof(Connection).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0";
}

/// <summary>No key was given at all: reported like a refused key (exit 3).</summary>
internal sealed class AuthenticationMissingException(string message) : Exception(message);
