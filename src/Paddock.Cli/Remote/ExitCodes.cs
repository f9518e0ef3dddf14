namespace Paddock.Cli.Remote;

/// <summary>What <c>paddock</c> exits with, so scripts can tell the failures apart (listed in <c>paddock help</c>).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The generation failed or was cancelled, queued or <c>--sync</c> alike (or, for <c>download ID</c>, has no video).</summary>
    public const int GenerationFailed = 1;

    /// <summary>The command was called wrongly, or the server refused the request as invalid (400, 409, 413, 422; an unknown model, an unknown key id).</summary>
    public const int Usage = 2;

    /// <summary>No key, or the server refused it (401, 403).</summary>
    public const int Auth = 3;

    /// <summary>Anything else: the server could not be reached, answered 404 or 5xx, or a local file could not be written.</summary>
    public const int ServerOrNetwork = 4;

    /// <summary>Ctrl-C: the generation was left running on the server (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>Each code and what it means, as <c>paddock help</c> lists them.</summary>
    public static readonly IReadOnlyList<(int Code, string Meaning)> Meanings =
    [
        (Ok, "success"),
        (GenerationFailed, "the generation failed or was cancelled, queued or --sync (the server's message is printed), a local image breaks the reference rules, or it has no video yet"),
        (Usage, "usage error, or the server refused the request as invalid (400, 409, 413; an unknown model): the server's detail is printed, e.g. \"duration: must be between 3 and 15\""),
        (Auth, "authentication: no key, or the server refused it (401, 403)"),
        (ServerOrNetwork, "any other error: the server cannot be reached, answered 404 or 5xx, or a file could not be written"),
        (Interrupted, "interrupted with Ctrl-C; the generation is left running and its id printed"),
    ];
}
