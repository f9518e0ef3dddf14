using System.Diagnostics;
using System.Text.Json;
using Paddock.Bench;
using Paddock.Core.Models;
using Paddock.Core.Validation;

namespace EnqueueBench;

/// <summary>
/// <c>--validation</c>: the CPU of validating one request body alone, in a loop on one thread, with each model's compiled
/// checks (what the server does) against the full JSON Schema evaluation of every body (what it did before; the same
/// model without its compiled checks), alternating, in the same run. No HTTP and no store: the part of an enqueue's CPU
/// that issue 15 item 4 asks to compile once per model.
/// </summary>
internal static class ValidationMode
{
    private static readonly (string Name, string Body)[] Bodies =
    [
        ("seed's minimal request", """{"model":"happyhorse-1.0-r2v","prompt":"Image 1 walks through a beautiful garden, cinematic lighting."}"""),
        ("every field, three references", """{"model":"happyhorse-1.0-r2v","prompt":"Image 1 and Image 2 dance while Image 3 watches, cinematic lighting.","reference_images":["https://example.com/a.png","https://example.com/b.jpg","https://example.com/c.png"],"aspect_ratio":"9:16","resolution":"720P","duration":8,"seed":42}"""),
    ];

    public static int Run(Settings settings)
    {
        var compiled = ModelCatalog.LoadBuiltIn();
        var evaluated = new ModelCatalog(compiled.All.Select(WithoutCompiledChecks));
        var rounds = Math.Max(settings.Runs, 3);
        Console.WriteLine($"EnqueueBench --validation: {Report.Machine()}");
        Console.WriteLine($"validation only: one thread, {rounds} rounds of 1 s per variant after 2 s of warmup each; CPU per call is this process's CPU over the round");
        var rows = new List<string>();
        foreach (var (name, json) in Bodies)
        {
            using var document = JsonDocument.Parse(json);
            var body = document.RootElement;
            Measure(body, evaluated, TimeSpan.FromSeconds(2));
            Measure(body, compiled, TimeSpan.FromSeconds(2));
            var before = new List<double>();
            var after = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                before.Add(Measure(body, evaluated, TimeSpan.FromSeconds(1)));
                after.Add(Measure(body, compiled, TimeSpan.FromSeconds(1)));
            }
            var b = Report.Median(before);
            var a = Report.Median(after);
            Console.WriteLine($"{name}: full evaluation {b:0.0} µs, compiled checks {a:0.0} µs per call (rounds: {string.Join(", ", before.Select(v => v.ToString("0.0")))} / {string.Join(", ", after.Select(v => v.ToString("0.0")))})");
            rows.Add($"| {name} | {b:0.0} | {a:0.0} | {a / b:0.00} |");
        }
        Console.WriteLine();
        Console.WriteLine(Report.MarkdownMarker);
        Console.WriteLine();
        Console.WriteLine($"### Validation CPU per request: compiled checks vs the full JSON Schema evaluation ({DateTime.Now:yyyy-MM-dd})");
        Console.WriteLine();
        Console.WriteLine($"Machine: {Report.Machine()}.  ");
        Console.WriteLine($"`EnqueueBench --validation`: `RequestValidator.Validate` in a loop on one thread, {rounds} alternating rounds of 1 s per variant, medians.");
        Console.WriteLine();
        Console.WriteLine("| body | full evaluation µs/call | compiled checks µs/call | ratio |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var row in rows) Console.WriteLine(row);
        return 0;
    }

    /// <summary>CPU microseconds per call over a window of calls.</summary>
    private static double Measure(JsonElement body, ModelCatalog catalog, TimeSpan window)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long calls = 0;
        while (clock.Elapsed < window)
        {
            for (var i = 0; i < 100; i++)
            {
                if (RequestValidator.Validate(body, catalog, SubmissionKind.Queue, out _) is { } rejection)
                    throw new InvalidOperationException("the benchmark's body is not valid: " + rejection.Detail);
            }
            calls += 100;
        }
        process.Refresh();
        return (process.TotalProcessorTime - cpuBefore).TotalMicroseconds / calls;
    }

    private static ModelDefinition WithoutCompiledChecks(ModelDefinition model) => new()
    {
        Id = model.Id,
        DisplayName = model.DisplayName,
        Description = model.Description,
        OwnedBy = model.OwnedBy,
        Developer = model.Developer,
        Created = model.Created,
        ReleasedAt = model.ReleasedAt,
        MediaType = model.MediaType,
        Capabilities = model.Capabilities,
        Engine = model.Engine,
        RequestSchema = model.RequestSchema,
        Validator = model.Validator,
        CompiledSchema = null,
    };
}
