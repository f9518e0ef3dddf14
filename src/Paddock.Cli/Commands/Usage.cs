namespace Paddock.Cli.Commands;

internal static class Usage
{
    public const string Text = """
        paddock — a self-hosted reference-to-video server

        Usage:
          paddock serve [--urls URL] [--data-dir DIR] [--Paddock:Setting=value ...]
              Start the API and its workers (SQLite, local disk and the built-in renderer by default).
          paddock keys create --namespace NAME [--name LABEL] [--data-dir DIR]
              Create an API key bound to NAME and print it (shown only once).
          paddock keys list [--data-dir DIR]
          paddock keys revoke KEY_ID [--data-dir DIR]

        Settings come from appsettings.json, PADDOCK__... environment variables and --Paddock:... arguments.
        """;

    public static int Print()
    {
        Console.WriteLine(Text);
        return 0;
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"paddock: {message}");
        Console.Error.WriteLine("Run 'paddock help' for usage.");
        return 2;
    }
}
