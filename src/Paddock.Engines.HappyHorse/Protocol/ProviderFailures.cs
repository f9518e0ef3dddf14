using System.Text.RegularExpressions;
using Paddock.Core.Engines;
using Paddock.Engines.HappyHorse.Requests;

namespace Paddock.Engines.HappyHorse.Protocol;

/// <summary>
/// Turns the provider's errors into the failure kinds the orchestrator acts on (docs/providers/dashscope.md, Errors),
/// keeping the provider's message and code. The kind comes from the code (case-insensitive, by family) and the HTTP
/// status only; a message is read at most for a hint of which request field it is about.
/// </summary>
public sealed partial class ProviderFailures(string backend, string keyVariable)
{
    private string Section => $"Paddock:Backends:{backend}";

    /// <summary>A failed API call (create, query, cancel, list, upload policy).</summary>
    public EngineFailureException FromCall(DashScopeException e, MediaFields media)
    {
        var code = e.Code;
        var said = code is null ? e.Message : $"{code}: {e.Message}";
        if (e.Outcome != CallOutcome.Answered)
            return new EngineFailureException(FailureKind.ProviderUnavailable, $"the provider could not be reached: {e.Message}", inner: e);
        if (e.Status == 429 || DashScopeCodes.Is(code, DashScopeCodes.Throttling))
            return new EngineFailureException(FailureKind.RateLimited, $"the provider is throttling requests ({said})", code, e.RetryAfter, e);
        if (e.Status >= 500 || DashScopeCodes.Is(code, DashScopeCodes.InternalError))
            return new EngineFailureException(FailureKind.ProviderUnavailable, $"the provider failed to answer ({said})", code, e.RetryAfter, e);
        if (IsRefusal(code))
            return new EngineFailureException(FailureKind.Refused, $"the provider refused the content: {e.Message} ({code})", code, inner: e);
        if (IsMediaProblem(code))
            return new EngineFailureException(FailureKind.InvalidInput,
                $"{media.FieldFor(e.Message)}: the provider could not download the image ({said}){DeliveryHint(media)}", code, inner: e);
        if (DashScopeCodes.Is(code, DashScopeCodes.InvalidParameter) || DashScopeCodes.Is(code, DashScopeCodes.BadRequest))
            return new EngineFailureException(FailureKind.InvalidInput, $"{FieldOf(e.Message, media)}: the provider refused the request as invalid ({said})", code, inner: e);
        if (e.Status == 401 || DashScopeCodes.Is(code, DashScopeCodes.InvalidApiKey))
            return new EngineFailureException(FailureKind.EngineError, KeyRefused(said), code, inner: e);
        if (e.Status == 403 || DashScopeCodes.Is(code, DashScopeCodes.AccessDenied) || DashScopeCodes.Is(code, DashScopeCodes.ModelAccessDenied))
            return new EngineFailureException(FailureKind.EngineError,
                $"the provider denied access ({said}): the key in the environment variable {keyVariable} ({Section}:ApiKeyVariable) may belong to " +
                $"another region than {Section}:BaseUrl/Region, or its account has not activated this model", code, inner: e);
        if (DashScopeCodes.Is(code, DashScopeCodes.Arrearage))
            // Not a judgement of the content, and no retry will mend it soon: the account's owner has to act.
            return new EngineFailureException(FailureKind.EngineError, $"the provider's account is not in good standing ({said}); its owner must settle it", code, inner: e);
        return new EngineFailureException(FailureKind.EngineError, $"the provider answered HTTP {e.Status} ({said})", code, inner: e);
    }

    /// <summary>A task that ended FAILED: its own <c>output.code</c>/<c>output.message</c> [bg-gen], [tasks].</summary>
    public EngineFailureException FromTask(TaskSnapshot task, MediaFields media)
    {
        var code = task.Code;
        var message = task.Message ?? "no message";
        var said = code is null ? message : $"{code}: {message}";
        if (IsRefusal(code))
            return new EngineFailureException(FailureKind.Refused, $"the provider refused the content: {message} ({code})", code);
        if (IsMediaProblem(code))
            return new EngineFailureException(FailureKind.InvalidInput, $"{media.FieldFor(message)}: the provider could not use the image ({said})", code);
        if (DashScopeCodes.Is(code, DashScopeCodes.InvalidParameter) || DashScopeCodes.Is(code, DashScopeCodes.BadRequest))
            return new EngineFailureException(FailureKind.InvalidInput, $"{FieldOf(message, media)}: the provider's task failed on its input ({said})", code);
        // A failed task is final: trying again would create a second task for this generation.
        return new EngineFailureException(FailureKind.EngineError, $"the provider's task {task.TaskId} failed ({said})", code);
    }

    public string KeyRefused(string said) =>
        $"the provider refused the API key in the environment variable {keyVariable} ({Section}:ApiKeyVariable) ({said}); " +
        $"check that it is a key of the region of {Section}:BaseUrl/Region";

    /// <summary>What to change when the provider could not fetch Paddock's own link to an image.</summary>
    private string DeliveryHint(MediaFields media) => media.Delivery == ReferenceDelivery.PublicUrl
        ? $"; it fetches this server's link on Paddock:PublicBaseUrl, which must be reachable from the provider, or set {Section}:ReferenceDelivery to data_uri"
        : "";

    private static bool IsRefusal(string? code) =>
        DashScopeCodes.Is(code, DashScopeCodes.DataInspectionFailed) || DashScopeCodes.Is(code, DashScopeCodes.IpInfringementSuspect);

    private static bool IsMediaProblem(string? code) =>
        DashScopeCodes.Is(code, DashScopeCodes.MediaDataInspection) || DashScopeCodes.Is(code, DashScopeCodes.MediaFileDownload);

    /// <summary>The request field a provider message is about, as Paddock's API names it (a hint only; "request" when unclear).</summary>
    private static string FieldOf(string message, MediaFields media)
    {
        if (MediaIndex().IsMatch(message) || message.Contains("media", StringComparison.OrdinalIgnoreCase)) return media.FieldFor(message);
        foreach (var (word, field) in Fields)
        {
            if (message.Contains(word, StringComparison.OrdinalIgnoreCase)) return field;
        }
        return "request";
    }

    private static readonly (string Word, string Field)[] Fields =
        [("prompt", "prompt"), ("duration", "duration"), ("resolution", "resolution"), ("ratio", "aspect_ratio"), ("seed", "seed")];

    [GeneratedRegex(@"media\[(\d+)\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex MediaIndex();
}
