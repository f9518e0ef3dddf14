using System.CommandLine;
using System.Text.Json.Nodes;
using Paddock.Cli.CommandLine;
using Paddock.Client;

namespace Paddock.Cli.Remote;

/// <summary>
/// One run of a command that talks to a server: its parsed command line, its output, and (made on first use) the
/// connection and SDK client. <see cref="RunAsync"/> turns every failure into a message and an exit code, in one place.
/// </summary>
internal sealed class Invocation(ParseResult parse, Output output)
{
    private Connection? _connection;
    private PaddockClient? _client;

    public ParseResult Parse { get; } = parse;

    public Output Output { get; } = output;

    public Connection Connection => _connection ??= Connection.Resolve(Parse.GetValue(RemoteOptions.Server), Parse.GetValue(RemoteOptions.Key));

    public PaddockClient Client => _client ??= Connection.CreateClient();

    /// <summary>The admin API's client (<c>paddock admin</c>): the admin key from <c>--key</c> or <c>PADDOCK_ADMIN_KEY</c>.</summary>
    public Paddock.Client.Admin.PaddockAdminClient AdminClient =>
        _admin ??= (_connection ??= Connection.ResolveAdmin(Parse.GetValue(RemoteOptions.Server), Parse.GetValue(RemoteOptions.Key))).CreateAdminClient();

    private Paddock.Client.Admin.PaddockAdminClient? _admin;

    /// <summary>The option's value, or its default when it was not given.</summary>
    public T? Value<T>(Option<T> option) => Parse.GetValue(option);

    /// <summary>The argument's value, or its default when it was not given.</summary>
    public T? Value<T>(Argument<T> argument) => Parse.GetValue(argument);

    /// <summary>Runs <paramref name="body"/> for the parsed command line; returns the exit code.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<Invocation, Task<int>> body)
    {
        var invocation = new Invocation(parse, new Output(parse.GetValue(RemoteOptions.Json), parse.GetValue(RemoteOptions.Quiet)));
        try
        {
            return await body(invocation);
        }
        catch (Exception e)
        {
            return Report(e, invocation.Output, invocation._connection);
        }
    }

    /// <summary>Prints what went wrong (stderr; with <c>--json</c> also an error document on stdout) and picks the exit code.</summary>
    public static int Report(Exception e, Output output, Connection? connection)
    {
        var server = connection?.Server.GetLeftPart(UriPartial.Authority) ?? "the server";
        var keySource = connection?.KeySource ?? "the configuration";
        var (code, kind, message) = e switch
        {
            UsageException => (ExitCodes.Usage, "usage", e.Message),
            RequestRefusedException => (ExitCodes.Usage, "invalid_request", e.Message),
            StartFailedException failed => (failed.Code, failed.Code == ExitCodes.Usage ? "settings" : "storage", e.Message),
            AuthenticationMissingException => (ExitCodes.Auth, "auth", e.Message),
            GenerationEndedException => (ExitCodes.GenerationFailed, "generation", e.Message),
            PaddockException { Status: 401 } p => (ExitCodes.Auth, "auth",
                $"{server} refused the API key from {keySource}: {Detail(p)} (HTTP 401). Check the key: --key, {Connection.KeyVariable}, {Connection.ExampleKeyVariable} or 'paddock config set key KEY'."),
            PaddockException { Status: 403 } p => (ExitCodes.Auth, "auth",
                $"the API key from {keySource} may not do this: {Detail(p)} (HTTP 403)"),
            PaddockException { Status: 400 or 409 or 413 or 422 } p => (ExitCodes.Usage, "invalid_request",
                $"the server refused the request: {Detail(p)} (HTTP {p.Status})"),
            PaddockException { Status: 0, ErrorType: "generation_failed" or "cancelled" } p => (ExitCodes.GenerationFailed, "generation", p.Detail ?? p.Message),
            PaddockException { Status: 0 } p => (ExitCodes.ServerOrNetwork, "network", $"cannot reach {server}: {p.Message}"),
            PaddockException p => (ExitCodes.ServerOrNetwork, "server", $"{server} answered HTTP {p.Status}: {Detail(p)}"),
            FileNotFoundException => (ExitCodes.Usage, "usage", e.Message),
            IOException or UnauthorizedAccessException => (ExitCodes.ServerOrNetwork, "local", e.Message),
            OperationCanceledException => (ExitCodes.Interrupted, "interrupted", "interrupted"),
            _ => (ExitCodes.ServerOrNetwork, "internal", $"unexpected error: {e}"),
        };

        Output.Problem(message);
        // Only a mistake in how the command was called needs the manual; a server's refusal says what to change.
        if (kind == "usage") Console.Error.WriteLine("Run 'paddock help' for usage.");
        if (output.Json)
        {
            var error = new JsonObject { ["exit_code"] = code, ["kind"] = kind, ["message"] = message };
            if (e is PaddockException pe)
            {
                error["status"] = pe.Status;
                error["type"] = pe.ErrorType;
                error["detail"] = pe.Detail;
            }
            if (e is GenerationEndedException { GenerationId.Length: > 0 } ended) error["generation_id"] = ended.GenerationId;
            output.Document(new JsonObject { ["error"] = error });
        }
        return code;
    }

    private static string Detail(PaddockException e) => e.Detail ?? e.Title ?? e.Message;
}

/// <summary>A generation ended without a video (failed or cancelled): exit code 1 with the server's message.</summary>
internal sealed class GenerationEndedException(string generationId, string message) : Exception(message)
{
    public string GenerationId { get; } = generationId;
}

/// <summary>
/// The server (or, for <c>keys</c>, its database) refused what was asked, e.g. an unknown model: exit code 2 like an
/// invalid request, without the pointer to <c>paddock help</c> that a mistake in the command line gets.
/// </summary>
internal sealed class RequestRefusedException(string message) : Exception(message);

/// <summary>A server-side command could not open what the server's settings name (a bad setting: 2; the database: 4).</summary>
internal sealed class StartFailedException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}
