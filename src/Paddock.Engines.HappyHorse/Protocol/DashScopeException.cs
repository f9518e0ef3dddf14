namespace Paddock.Engines.HappyHorse.Protocol;

/// <summary>How sure it is that the provider did not act on a call that failed.</summary>
public enum CallOutcome
{
    /// <summary>The provider answered with an error: it did not do what was asked (a create made no task).</summary>
    Answered,

    /// <summary>The request never left (no connection could be made): nothing happened there.</summary>
    NotSent,

    /// <summary>The request may have reached the provider but no answer came (dropped, timed out): it may have acted.</summary>
    NoAnswer,
}

/// <summary>
/// A provider call that did not succeed: the HTTP status and the body's <c>code</c>/<c>message</c> when the provider
/// answered (docs/providers/dashscope.md, Errors), or what went wrong on the way. Messages never hold the API key.
/// </summary>
public sealed class DashScopeException(CallOutcome outcome, int? status, string? code, string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public CallOutcome Outcome { get; } = outcome;

    /// <summary>The HTTP status, when the provider answered.</summary>
    public int? Status { get; } = status;

    /// <summary>The provider's error code (e.g. <c>Throttling.RateQuota</c>), when its body carried one.</summary>
    public string? Code { get; } = code;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Whether the same call may well succeed later: throttling, a server error, or no answer at all.</summary>
    public bool IsTransient => Outcome != CallOutcome.Answered || Status is 429 or >= 500
        || DashScopeCodes.Is(Code, DashScopeCodes.Throttling) || DashScopeCodes.Is(Code, DashScopeCodes.InternalError);
}

/// <summary>
/// The provider's error codes the engine acts on. They are compared case-insensitively and by family (a code and its
/// dotted refinements: <c>Throttling</c> covers <c>Throttling.RateQuota</c>), never by message: [errors] pairs each code
/// with a snake_case alias on another surface, and its messages "may vary".
/// </summary>
public static class DashScopeCodes
{
    public const string Throttling = "Throttling";
    public const string InternalError = "InternalError";
    public const string DataInspectionFailed = "DataInspectionFailed";
    public const string IpInfringementSuspect = "IPInfringementSuspect";
    public const string InvalidParameter = "InvalidParameter";
    public const string MediaDataInspection = "InvalidParameter.DataInspection";
    public const string MediaFileDownload = "InvalidParameter.FileDownload";
    public const string BadRequest = "BadRequest";
    public const string InvalidApiKey = "InvalidApiKey";
    public const string AccessDenied = "AccessDenied";
    public const string ModelAccessDenied = "Model.AccessDenied";
    public const string Arrearage = "Arrearage";
    public const string UnsupportedOperation = "UnsupportedOperation";

    /// <summary>Whether <paramref name="code"/> is <paramref name="family"/> or one of its dotted refinements (any case; snake_case aliases too).</summary>
    public static bool Is(string? code, string family)
    {
        if (string.IsNullOrEmpty(code)) return false;
        var normal = Normalize(code);
        var wanted = Normalize(family);
        return normal == wanted || normal.StartsWith(wanted + ".", StringComparison.Ordinal);
    }

    // "data_inspection_failed" and "DataInspectionFailed" are one code: letters and dots only, lower case.
    private static string Normalize(string code) => string.Concat(code.Where(c => c != '_')).ToLowerInvariant();
}
