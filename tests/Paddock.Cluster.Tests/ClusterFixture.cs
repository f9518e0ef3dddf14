using System.Net.Http.Headers;
using System.Security.Cryptography;
using Paddock.Testing;

namespace Paddock.Cluster.Tests;

/// <summary>
/// The deployment of README "Running on several machines", on loopback: two API processes and three workers, each a
/// real <c>paddock</c> process with a data folder of its own, sharing one PostgreSQL database, one S3 bucket and one
/// signing key — nothing else. Started once for the test class.
/// </summary>
/// <remarks>
/// The PostgreSQL server is the fixture's own (a throwaway cluster started here, not the one a test run shares), so a
/// test may stop and restart it under load without disturbing other test projects.
/// </remarks>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly List<PaddockProcess> _workers = [];
    private PostgresCluster? _postgres;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "paddock-cluster-" + Guid.NewGuid().ToString("N")[..12]);

    public PaddockProcess ApiA { get; private set; } = null!;

    public PaddockProcess ApiB { get; private set; } = null!;

    public IReadOnlyList<PaddockProcess> Workers => _workers;

    public string ApiKey { get; private set; } = "";

    /// <summary>The cluster's PostgreSQL server, which a test may stop, start or restart.</summary>
    public PostgresCluster Postgres => _postgres!;

    /// <summary>Every process of the cluster still running: the two APIs and the workers.</summary>
    public IReadOnlyList<PaddockProcess> Running
    {
        get
        {
            lock (_workers) return [ApiA, ApiB, .. _workers.Where(w => !w.HasExited)];
        }
    }

    public Dictionary<string, string> Environment { get; } = new();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        _postgres = await PostgresCluster.StartOwnAsync();
        var s3 = await S3Server.SharedAsync();
        Environment["PADDOCK__STORAGE__PROVIDER"] = "postgres";
        Environment["PADDOCK__STORAGE__POSTGRES__CONNECTIONSTRING"] = await _postgres.CreateDatabaseAsync();
        Environment["PADDOCK__BLOBS__PROVIDER"] = "s3";
        Environment["PADDOCK__BLOBS__S3__SERVICEURL"] = s3.Endpoint;
        Environment["PADDOCK__BLOBS__S3__BUCKET"] = S3Server.NewBucket();
        Environment["PADDOCK__BLOBS__S3__CREATEBUCKET"] = "true";
        Environment["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey;
        Environment["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey;
        Environment["PADDOCK__SIGNINGKEY"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        Environment["PADDOCK__ENGINES__BUILTIN__PRESET"] = "ultrafast";
        // The deployment's own one-second models (Catalog/*.json) beside the built-in ones.
        Environment["PADDOCK__CATALOG__DIRECTORY"] = Path.Combine(AppContext.BaseDirectory, "Catalog");
        Environment["PADDOCK__REFERENCES__ALLOWEDHOSTS__0"] = "127.0.0.1";
        // A killed worker's lease runs out in 3 s (not 30), and is recovered within a second after.
        Environment["PADDOCK__WORKERS__LEASEDURATION"] = "00:00:03";
        Environment["PADDOCK__WORKERS__RECOVERYINTERVAL"] = "00:00:01";
        Environment["Logging__LogLevel__Default"] = "Warning";

        // API A first: on the empty database it migrates and makes the first key. Then B. The workers, which read the
        // references, are told both APIs' addresses (Paddock:ApiBaseUrls), so a reference uploaded to either is read
        // from the shared storage (the ports are known only once the APIs listen).
        ApiA = await PaddockProcess.StartAsync("api-a", ["serve", "--no-workers"], Environment, Folder);
        Environment["PADDOCK__APIBASEURLS__0"] = ApiA.BaseUrl;
        ApiB = await PaddockProcess.StartAsync("api-b", ["serve", "--no-workers"], Environment, Folder);
        Environment["PADDOCK__APIBASEURLS__1"] = ApiB.BaseUrl;
        ApiKey = (await File.ReadAllTextAsync(Path.Combine(Folder, "api-a", "first-api-key.txt"))).Trim();
        for (var i = 1; i <= 3; i++) await StartWorkerAsync($"worker-{i}");
    }

    /// <summary>A further API process on the same database, bucket and key (a test's own, to kill).</summary>
    public Task<PaddockProcess> StartApiAsync(string name) => PaddockProcess.StartAsync(name, ["serve", "--no-workers"], Environment, Folder);

    public async Task<PaddockProcess> StartWorkerAsync(string name)
    {
        var worker = await PaddockProcess.StartAsync(name, ["worker", "--concurrency", "1"], Environment, Folder);
        lock (_workers) _workers.Add(worker);
        return worker;
    }

    public HttpClient Client(PaddockProcess api)
    {
        var client = new HttpClient { BaseAddress = new Uri(api.BaseUrl + "/"), Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return client;
    }

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers) await worker.DisposeAsync();
        if (ApiB is not null) await ApiB.DisposeAsync();
        if (ApiA is not null) await ApiA.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}
