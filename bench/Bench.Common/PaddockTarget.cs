using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Paddock.Server.Hosting;

namespace Paddock.Bench;

/// <summary>The real server: <see cref="PaddockApp.Build"/> on a fresh data directory, API only (no workers).</summary>
public sealed class PaddockTarget : IBenchTarget
{
    private readonly WebApplication _app;
    private readonly string _dataDirectory;
    private readonly bool _checkRows;

    private PaddockTarget(WebApplication app, Uri baseAddress, string apiKey, string dataDirectory, string name, bool checkRows)
    {
        _checkRows = checkRows;
        _app = app;
        BaseAddress = baseAddress;
        ApiKey = apiKey;
        _dataDirectory = dataDirectory;
        Name = name;
    }

    public string Name { get; }
    public Uri BaseAddress { get; }
    public string? ApiKey { get; }

    /// <param name="settings">More settings, e.g. the storage provider.</param>
    public static Task<PaddockTarget> StartAsync(string dataRoot, string name = "paddock", IReadOnlyList<string>? settings = null) =>
        StartOnAsync(Path.Combine(dataRoot, "paddock-bench-" + Guid.NewGuid().ToString("N")), name, settings, checkRows: true);

    /// <summary>Paddock on a data directory that may already hold rows (it is deleted on dispose all the same).</summary>
    /// <param name="checkRows">After a load of enqueues: every 200 answer must be a row.</param>
    public static async Task<PaddockTarget> StartOnAsync(string dataDirectory, string name, IReadOnlyList<string>? settings, bool checkRows)
    {
        var app = PaddockApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            $"--Paddock:DataDirectory={dataDirectory}",
            "--Paddock:Workers:Concurrency=0",
            "--Logging:LogLevel:Default=Warning",
            .. settings ?? [],
        ]);

        // The first start announces the address and the new key on stdout; keep the report readable.
        var stdout = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            await app.StartAsync();
        }
        finally
        {
            Console.SetOut(stdout);
        }

        var keyFile = Path.Combine(dataDirectory, "first-api-key.txt");
        var key = (await File.ReadAllTextAsync(keyFile)).Trim();
        if (key.Length == 0) throw new InvalidOperationException($"{keyFile} is empty");
        return new PaddockTarget(app, Kestrel.ListeningAddress(app), key, dataDirectory, name, checkRows);
    }

    public async Task<(bool Ok, string Line)?> VerifyAsync(HttpClient client, long okAnswers)
    {
        if (!_checkRows) return null;
        using var response = await client.GetAsync(new Uri(BaseAddress, "api/ai/generations?page_size=1"));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            return (false, $"rows check FAILED: GET /api/ai/generations answered {(int)response.StatusCode}: {Report.Shorten(text)}");
        using var document = JsonDocument.Parse(text);
        var total = document.RootElement.GetProperty("total_entries").GetInt64();
        return total == okAnswers
            ? (true, $"rows check: total_entries {total} = {okAnswers} answers 200")
            : (false, $"rows check FAILED: total_entries {total}, but {okAnswers} answers were 200");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind in the temp folder; harmless.
        }
    }
}
