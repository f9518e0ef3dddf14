namespace Paddock.Testing;

/// <summary>
/// A real S3-compatible server for tests (npm's s3rver on loopback): the one <c>scripts/test.sh</c> started for the whole
/// run (its endpoint in <see cref="Variable"/>), or — when a test project runs by hand — one started here with
/// <c>scripts/test-s3.sh</c> and stopped when the test process exits. Each test uses a bucket of its own.
/// s3rver takes only the access key <see cref="AccessKey"/> and checks no signature.
/// </summary>
public sealed class S3Server
{
    /// <summary>The endpoint of a running server, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public const string Variable = "PADDOCK_TEST_S3";

    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    private static readonly Lazy<Task<S3Server>> Shared = new(StartSharedAsync);

    private S3Server(string endpoint) => Endpoint = endpoint;

    public string Endpoint { get; }

    public static Task<S3Server> SharedAsync() => Shared.Value;

    /// <summary>A fresh bucket name (the store creates it on first write when told to).</summary>
    public static string NewBucket() => "paddock-test-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>The repository's root (where <c>Paddock.slnx</c> is), found from the test's binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Paddock.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Paddock.slnx) above " + AppContext.BaseDirectory);
    }

    private static async Task<S3Server> StartSharedAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given) return new S3Server(given);
        var script = Path.Combine(RepositoryRoot(), "scripts", "test-s3.sh");
        // --owner: the server stops when this test process ends, however it ends (a test host is often killed).
        var started = await Processes.RunAsync(script, ["start", "--owner", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            timeout: TimeSpan.FromMinutes(5));
        if (started.ExitCode != 0) throw new InvalidOperationException($"scripts/test-s3.sh start failed: {started.Stderr}");
        var lines = started.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return new S3Server(lines[1]);
    }
}
