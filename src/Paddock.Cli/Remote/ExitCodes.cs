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
}
