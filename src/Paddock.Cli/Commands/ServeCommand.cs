using Paddock.Server.Hosting;

namespace Paddock.Cli.Commands;

internal static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        await PaddockApp.Build(ServerArguments.Translate(args)).RunAsync();
        return 0;
    }
}
