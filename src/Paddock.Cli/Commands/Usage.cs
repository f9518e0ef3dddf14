namespace Paddock.Cli.Commands;

internal static class Usage
{
    public const string Text = """
        paddock — a self-hosted reference-to-video server

        Usage:
          paddock serve [--urls URL] [--data-dir DIR] [--no-workers] [--Paddock:Setting=value ...]
              Start the API and its workers (SQLite, local disk and the built-in renderer by default);
              --no-workers: the API only, for workers started elsewhere with `paddock worker`.
          paddock worker [--urls URL] [--data-dir DIR] [--concurrency N] [--Paddock:Setting=value ...]
              Render queued generations, without the API (a health check at /api/health, http://127.0.0.1:8090).
              Exit codes of serve and worker: 0 stopped, 2 a bad setting or option, 4 could not start
              (the port is in use, the data directory cannot be written); the reason is printed in one line.
          paddock keys create --namespace NAME [--name LABEL] [--data-dir DIR] [--json]
              Create an API key bound to NAME and print it (shown only once).
          paddock keys list [--data-dir DIR] [--json]
          paddock keys revoke KEY_ID [--data-dir DIR] [--json]
          (Options take "--name value" or "--name=value".)

          paddock render REQUEST.json -o OUT.mp4 [--preset P] [--seed N] | render --sample-image FILE.png [--subject fox]
              Render a request with the built-in engine in this process (no server); references may be files or URLs.

        Settings come from appsettings.json, PADDOCK__... environment variables and --Paddock:... arguments;
        serve, worker, keys and render read the same ones.

        Talking to a server (this one or any with the same API):
          paddock config set server URL | set key KEY | unset NAME | show
          paddock generate "PROMPT" [-i IMAGE ...] [--model M] [--aspect A] [--resolution R] [--duration S]
                   [--seed N] [--set FIELD=VALUE ...] [-o out.mp4] [--no-wait | --sync]
          paddock models [ID] [--search TEXT]
          paddock queue list [--all] [--status S] [--model M] | queue get ID | queue cancel ID
          paddock events [--last-event-id N] [--generation ID]     (reconnects while the server is down)
          paddock upload FILE --repo REPO [--branch main] [--path PATH | --path FOLDER/]
          paddock download URL_OR_ID [-o FILE] [--force]           (--force: replace a file of the default name)
        Every one takes --server URL, --key KEY, --json and --quiet.
        Server and key: --server / --key, else $PADDOCK_URL / $PADDOCK_API_KEY or $OXEN_API_KEY, else ~/.config/paddock/config.json,
        else http://127.0.0.1:8080 for the server. --json: stdout holds only JSON (errors too; events: one per line).
        generate uploads local images to repository cli-uploads of the key's namespace, shows progress on stderr,
        and on Ctrl-C asks whether to cancel the generation or leave it running (no terminal: left running).

        Exit codes:
          0    success
          1    the generation failed or was cancelled, queued or --sync (the server's message is printed),
               e.g. "reference_images[0]: shorter side is 300 px; ...", or it has no video yet
          2    usage error, or the server refused the request as invalid (400, 409, 413; an unknown model):
               the server's detail is printed, e.g. "duration: must be between 3 and 15"
          3    authentication: no key, or the server refused it (401, 403)
          4    any other error: the server cannot be reached, answered 404 or 5xx, or a file could not be written
          130  interrupted with Ctrl-C; the generation is left running and its id printed
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
