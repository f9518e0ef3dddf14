using Paddock.Cli.Remote;
using Paddock.Server.Hosting;

namespace Paddock.Cli.Commands;

internal static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        ServerCommandArguments parsed;
        try
        {
            parsed = ServerArguments.Parse("serve", args, values: [], switches: ["--help|-h"]);
            if (parsed.Words.Count > 0)
                throw new UsageException($"serve takes no words, only options ('{parsed.Words[0]}'); settings go as --Section:Key=value, e.g. --Paddock:Workers:Concurrency=2");
        }
        catch (UsageException e)
        {
            return Usage.Fail(e.Message);
        }
        if (parsed.Has("--help")) return Usage.Print();
        await PaddockApp.Build(parsed.Configuration).RunAsync();
        return 0;
    }
}
