namespace Paddock.Fakes.DashScope.Protocol;

/// <summary>
/// One provider error: the HTTP status it comes with (when it is an HTTP error) and the body's <c>code</c> and
/// <c>message</c>. The same code/message pair goes into <c>output.code</c>/<c>output.message</c> when a task FAILS.
/// Sources are the short names of docs/providers/dashscope.md.
/// </summary>
public sealed record DashScopeError(int Status, string Code, string Message)
{
    // [errors]: 401 InvalidApiKey; both messages observed ([probe], and the SDK-era notes quoted in the doc).
    public static DashScopeError NoApiKey { get; } = new(401, "InvalidApiKey", "No API-key provided.");
    public static DashScopeError InvalidApiKey { get; } = new(401, "InvalidApiKey", "Invalid API-key provided.");

    // [bg-gen]: "missing this header reports: current user api does not support synchronous calls"; [probe]: that family is 403 AccessDenied.
    public static DashScopeError SynchronousCallRefused { get; } = new(403, "AccessDenied", "current user api does not support synchronous calls");

    // [errors]: 429 Throttling.RateQuota "Requests rate limit exceeded, please try again later."
    public static DashScopeError RateQuota { get; } = new(429, "Throttling.RateQuota", "Requests rate limit exceeded, please try again later.");

    // [errors]: 400 DataInspectionFailed; the input is inspected at create, the output in the task.
    public static DashScopeError InputInspectionFailed { get; } = new(400, "DataInspectionFailed", "Input data may contain inappropriate content.");
    public static DashScopeError OutputInspectionFailed { get; } = new(400, "DataInspectionFailed", "Output data may contain inappropriate content.");

    // [bg-gen] (a documented 400 of an async create) and [errors] (both messages, "Unable to download …" too).
    public static DashScopeError MediaDownloadTimedOut { get; } = new(400, "InvalidParameter.DataInspection", "Download the media resource timed out during the data inspection process.");
    public static DashScopeError MediaDownloadFailed { get; } = new(400, "InvalidParameter.DataInspection", "Unable to download the media resource during the data inspection process.");

    // [errors]: 400 BadRequest.EmptyInput / BadRequest.EmptyModel with these messages.
    public static DashScopeError EmptyInput { get; } = new(400, "BadRequest.EmptyInput", "Required input parameter missing from request.");
    public static DashScopeError EmptyModel { get; } = new(400, "BadRequest.EmptyModel", "Required parameter \"model\" missing from request.");

    // [probe]: an unknown model on the video-synthesis route answers 400 InvalidParameter "Model not exist.".
    public static DashScopeError ModelNotExist { get; } = new(400, "InvalidParameter", "Model not exist.");

    // [lifecycle]: only PENDING can be canceled; [errors]: 400 UnsupportedOperation, "message may vary".
    public static DashScopeError CancelUnsupported { get; } = new(400, "UnsupportedOperation", "The operation is unsupported on the referee object.");

    /// <summary>[errors]: 400 InvalidParameter "Required parameter(s) missing or invalid" — the detail wording is the fake's (decided).</summary>
    public static DashScopeError InvalidParameter(string message) => new(400, "InvalidParameter", message);

    /// <summary>[errors]: 500 InternalError.</summary>
    public static DashScopeError InternalError(string message) => new(500, "InternalError", message);
}
