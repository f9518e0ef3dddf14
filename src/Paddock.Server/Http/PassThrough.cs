namespace Paddock.Server.Http;

/// <summary>
/// Calls the rest of the pipeline after a middleware's own check without awaiting it inside the middleware's async
/// method. A request that lasts (an event stream is open for hours, ten thousand at a time) then holds no state machine
/// of the middlewares it passed through, only of the endpoint it reached.
/// </summary>
internal static class PassThrough
{
    /// <summary><paramref name="next"/> once <paramref name="admitted"/> says true; nothing when it says false (the check answered).</summary>
    public static Task ThenNext(Task<bool> admitted, RequestDelegate next, HttpContext context)
    {
        if (!admitted.IsCompletedSuccessfully) return AwaitedAsync(admitted, next, context);
        return admitted.Result ? next(context) : Task.CompletedTask;
    }

    private static async Task AwaitedAsync(Task<bool> admitted, RequestDelegate next, HttpContext context)
    {
        if (await admitted) await next(context);
    }
}
