using Paddock.Core.Quotas;

namespace Paddock.Server.Http;

/// <summary>
/// After authentication: finds the limits in force for the request's key and namespace (kept for the submission routes)
/// and counts the request against their requests per minute; over it, 429 with <c>Retry-After</c> and the envelope.
/// </summary>
public sealed class QuotaEnforcement(RequestDelegate next, QuotaService quotas)
{
    public Task InvokeAsync(HttpContext context) =>
        context.Features.Get<RequestCaller>() is { } caller ? PassThrough.ThenNext(AdmitAsync(context, caller), next, context) : next(context);

    /// <summary>True when the request goes on; false when it was refused (and answered).</summary>
    private async Task<bool> AdmitAsync(HttpContext context, RequestCaller caller)
    {
        var limits = await quotas.LimitsAsync(caller.Namespace, caller.KeyId, context.RequestAborted);
        if (quotas.TryRequest(limits) is { } refusal)
        {
            await Refused(refusal).ExecuteAsync(context);
            return false;
        }
        caller.Limits = limits;
        return true;
    }

    /// <summary>The limits in force for this request (null where no key was given).</summary>
    public static EffectiveLimits? LimitsOf(HttpContext context) => context.Features.Get<RequestCaller>()?.Limits;

    /// <summary>A refusal as the API answers it: its status, the envelope (type = the limit) and <c>Retry-After</c> when known.</summary>
    public static IResult Refused(QuotaRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        // 429 rate_limited as docs/API.md has it; a budget used up until its period resets is 403 quota_exceeded.
        var (type, title) = refusal.Status == StatusCodes.Status429TooManyRequests
            ? ("rate_limited", "A limit of this key or namespace was reached; try again later.")
            : ("quota_exceeded", "A quota of this key or namespace is used up until it resets.");
        var answer = ApiErrors.Quota(refusal.Status, type, title, refusal.Message, refusal.Limit, refusal.Scope.Stored);
        return refusal.RetryAfter is { } wait ? new RetryAfter(answer, Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))) : answer;
    }
}
