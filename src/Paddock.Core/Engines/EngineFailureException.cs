namespace Paddock.Core.Engines;

/// <summary>
/// Why a generation failed, as a kind the orchestrator acts on (retry or not) and the API reports
/// (<c>error_type</c>), instead of a meaning parsed back out of a message.
/// </summary>
public enum FailureKind
{
    /// <summary>The request or a reference image is wrong; never retried; a sync call answers 400 naming the field.</summary>
    InvalidInput,

    /// <summary>The provider refused the content or the request by its policy; never retried.</summary>
    Refused,

    /// <summary>The provider throttled us; retried with backoff up to a limit.</summary>
    RateLimited,

    /// <summary>The provider or backend could not be reached or answered with a server error; retried with backoff up to a limit.</summary>
    ProviderUnavailable,

    /// <summary>The work took longer than its limit.</summary>
    Timeout,

    /// <summary>The engine failed for another reason (a failed remote task, an unreadable output, a bug).</summary>
    EngineError,
}

public static class FailureKinds
{
    public static string ToWire(this FailureKind kind) => kind switch
    {
        FailureKind.InvalidInput => "invalid_input",
        FailureKind.Refused => "refused",
        FailureKind.RateLimited => "rate_limited",
        FailureKind.ProviderUnavailable => "provider_unavailable",
        FailureKind.Timeout => "timeout",
        FailureKind.EngineError => "engine_error",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static FailureKind? FromWire(string? wire) => wire switch
    {
        "invalid_input" => FailureKind.InvalidInput,
        "refused" => FailureKind.Refused,
        "rate_limited" => FailureKind.RateLimited,
        "provider_unavailable" => FailureKind.ProviderUnavailable,
        "timeout" => FailureKind.Timeout,
        "engine_error" => FailureKind.EngineError,
        _ => null,
    };

    /// <summary>Kinds worth another try after a pause: the same request may well succeed later.</summary>
    public static bool IsRetryable(this FailureKind kind) => kind is FailureKind.RateLimited or FailureKind.ProviderUnavailable;
}

/// <summary>
/// A failure an engine (or the orchestrator) reports with its kind. <see cref="Exception.Message"/> is for the user
/// (a provider's own message is kept in it); <see cref="Code"/> is the provider's error code, if it gave one.
/// </summary>
public sealed class EngineFailureException(FailureKind kind, string message, string? code = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public FailureKind Kind { get; } = kind;

    public string? Code { get; } = code;

    /// <summary>How long the provider asked us to wait before trying again (a <c>Retry-After</c>), if it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
