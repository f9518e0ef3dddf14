using Paddock.Client;

namespace Paddock.Cli.Remote;

/// <summary>
/// How a command that follows the server (<c>paddock events</c>) rides out an outage: it tries again until the server
/// answers, pausing a little longer each time up to <see cref="MaxDelay"/>, and says once per outage on stderr that it
/// is reconnecting. Errors that are not about reaching the server (a refused key, a 404) end the command as usual.
/// </summary>
internal sealed class Reconnection(Uri server)
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>Short enough that a restarted server is noticed within seconds.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(4);

    private int _failures;

    /// <summary>No answer at all, a timeout, or a server (or its proxy) that is starting or stopping.</summary>
    public static bool IsOutage(PaddockException e) =>
        e.Status is 0 or 408 or 429 or 502 or 503 or 504 && e.ErrorType is not ("generation_failed" or "cancelled");

    /// <summary>The pause before try number <paramref name="failures"/> + 1: 0.5 s, 1 s, 2 s, then <see cref="MaxDelay"/>.</summary>
    public static TimeSpan DelayAfter(int failures)
    {
        var delay = FirstDelay * Math.Pow(2, Math.Clamp(failures - 1, 0, 16));
        return delay < MaxDelay ? delay : MaxDelay;
    }

    /// <summary>Notes the failure (the first of an outage on stderr) and waits before the next try.</summary>
    public Task WaitAsync(PaddockException e)
    {
        if (++_failures == 1)
            Output.Problem($"cannot reach {server.GetLeftPart(UriPartial.Authority)} ({e.Message}); reconnecting until it answers (Ctrl-C to stop) ...");
        return Task.Delay(DelayAfter(_failures));
    }

    /// <summary>The server spoke: the next failure starts a new outage.</summary>
    public void Heard() => _failures = 0;
}
