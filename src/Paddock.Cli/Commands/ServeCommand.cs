using System.CommandLine;
using Paddock.Cli.CommandLine;
using Paddock.Server.Hosting;

namespace Paddock.Cli.Commands;

/// <summary><c>paddock serve</c> (API and workers, or the API alone with <c>--no-workers</c>) and <c>paddock worker</c> (workers alone).</summary>
internal static class ServeCommand
{
    private const string Exits = """
        Exit codes: 0 stopped, 2 a bad setting or option, 4 could not start (the port is in use, the data
        directory cannot be written); the reason is printed in one line.
        """;

    private static readonly Option<bool> NoWorkers = CliOption.Switch("--no-workers", "The API only, for workers started elsewhere with 'paddock worker'");

    public static PaddockCommand CreateServe(ServerSettings settings)
    {
        var command = new PaddockCommand("serve", "Start the API and its workers (SQLite, local disk and the built-in renderer by default)")
        {
            WordsExtra = $"serve takes no words, only options ('{{0}}'); {UsageProblems.SettingsHint}",
            TakesServerSettings = true,
            TakesHostSettings = true,
            Notes = $"""
                Any server setting goes as --Section:Key=value (or --Section:Key value), e.g. --Paddock:Workers:Concurrency=2;
                settings also come from appsettings.json and PADDOCK__SECTION__KEY environment variables.
                {Exits}
                """,
        };
        ServerOptions.AddTo(command);
        command.Add(NoWorkers);
        command.SetAction((parse, _) =>
            PaddockProcess.RunAsync(ServerOptions.Configuration(parse, settings), parse.GetValue(NoWorkers) ? PaddockRole.Api : PaddockRole.ApiAndWorkers));
        return command;
    }

    public static PaddockCommand CreateWorker(ServerSettings settings)
    {
        var command = new PaddockCommand("worker", "Render queued generations, without the API (a health check at /api/health, http://127.0.0.1:8090)")
        {
            WordsExtra = $"worker takes no words, only options ('{{0}}'); {UsageProblems.SettingsHint}",
            TakesServerSettings = true,
            TakesHostSettings = true,
            Notes = $"""
                Run it with the same settings as the API (the same --data-dir, or the same database and blob store).
                Any server setting goes as --Section:Key=value (or --Section:Key value).
                {Exits}
                """,
        };
        ServerOptions.AddTo(command);
        command.SetAction((parse, _) => PaddockProcess.RunAsync(ServerOptions.Configuration(parse, settings), PaddockRole.Worker));
        return command;
    }
}
