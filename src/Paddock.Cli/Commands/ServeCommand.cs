using Paddock.Cli.Remote;
using Paddock.Server.Hosting;

namespace Paddock.Cli.Commands;

/// <summary><c>paddock serve</c> (API and workers, or the API alone with <c>--no-workers</c>) and <c>paddock worker</c> (workers alone).</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(string command, string[] args)
    {
        ServerCommandArguments parsed;
        try
        {
            parsed = ServerArguments.Parse(command, args, values: [], switches: command == "serve" ? ["--help|-h", "--no-workers"] : ["--help|-h"]);
            if (parsed.Words.Count > 0)
                throw new UsageException($"{command} takes no words, only options ('{parsed.Words[0]}'); settings go as --Section:Key=value, e.g. --Paddock:Workers:Concurrency=2");
        }
        catch (UsageException e)
        {
            return Usage.Fail(e.Message);
        }
        if (parsed.Has("--help")) return Usage.Print();
        var role = command == "worker" ? PaddockRole.Worker : parsed.Has("--no-workers") ? PaddockRole.Api : PaddockRole.ApiAndWorkers;
        return await PaddockProcess.RunAsync(parsed.Configuration, role);
    }
}
