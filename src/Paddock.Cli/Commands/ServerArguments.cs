namespace Paddock.Cli.Commands;

/// <summary>Turns the CLI's friendly flags into the server's configuration keys; everything else passes through.</summary>
internal static class ServerArguments
{
    public static string[] Translate(string[] args)
    {
        var translated = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data-dir" when i + 1 < args.Length:
                    translated.Add("--Paddock:DataDirectory=" + args[++i]);
                    break;
                case "--concurrency" when i + 1 < args.Length:
                    translated.Add("--Paddock:Workers:Concurrency=" + args[++i]);
                    break;
                default:
                    translated.Add(args[i]);
                    break;
            }
        }
        return translated.ToArray();
    }
}
