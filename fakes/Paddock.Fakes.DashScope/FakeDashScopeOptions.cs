namespace Paddock.Fakes.DashScope;

/// <summary>Where a content refusal shows: the provider inspects the input at create time and the output in the task.</summary>
public enum RefusalStage
{
    /// <summary>Create answers 400 <c>DataInspectionFailed</c> "Input data may contain inappropriate content." (docs/providers/dashscope.md, Errors).</summary>
    Create,
    /// <summary>The task ends FAILED with <c>DataInspectionFailed</c> "Output data may contain inappropriate content.".</summary>
    Task,
}

/// <summary>Where the media URLs are downloaded: the documented place is the create call's data inspection; a worker-side fetch fails the task.</summary>
public enum ReferenceCheck
{
    /// <summary>Create downloads every media URL; one it cannot get answers 400 <c>InvalidParameter.DataInspection</c>.</summary>
    AtCreate,
    /// <summary>The task downloads them when it starts; one it cannot get ends the task FAILED with <c>InvalidParameter.DataInspection</c>.</summary>
    InTask,
}

/// <summary>
/// The knobs of the fake. Settable in process (also while it runs: every request reads them afresh) and, for
/// the program, from configuration: <c>--DashScope:TaskTime=00:00:05</c> or <c>DashScope__TaskTime</c>.
/// </summary>
public sealed class FakeDashScopeOptions
{
    public const string Section = "DashScope";

    /// <summary>The one API key the fake accepts (<c>Authorization: Bearer …</c>); anything else is 401 <c>InvalidApiKey</c>.</summary>
    public string ApiKey { get; set; } = "sk-fake-dashscope";

    /// <summary>How long a new task stays PENDING (and can be canceled) before it is RUNNING.</summary>
    public TimeSpan PendingTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Time from create to the terminal status; RUNNING in between. A first render of a new size may add to it.</summary>
    public TimeSpan TaskTime { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The first N create calls answer 429 <c>Throttling.RateQuota</c> (and create nothing).</summary>
    public int ThrottleFirstCreates { get; set; }

    /// <summary>More than this many create calls within one second answer 429 <c>Throttling.RateQuota</c>; 0 means no limit.</summary>
    public int ThrottleCreatesPerSecond { get; set; }

    /// <summary>A prompt containing this word (any case) is refused as inappropriate content; null refuses nothing.</summary>
    public string? RefuseWord { get; set; }

    /// <summary>Where a refusal of <see cref="RefuseWord"/> shows.</summary>
    public RefusalStage RefusalStage { get; set; } = RefusalStage.Create;

    /// <summary>When set, every task ends FAILED with this code (and <see cref="FailTaskMessage"/>) instead of SUCCEEDED.</summary>
    public string? FailTaskCode { get; set; }

    public string FailTaskMessage { get; set; } = "An internal error has occured, please try again later or contact service support.";

    /// <summary>Every API answer is held back this long: a slow provider.</summary>
    public TimeSpan ResponseDelay { get; set; } = TimeSpan.Zero;

    /// <summary>While true, every API request has its connection dropped without an answer: an unreachable provider.</summary>
    public bool Unreachable { get; set; }

    /// <summary>While true, every task id answers UNKNOWN, as after the provider's 24-hour retention.</summary>
    public bool ForgetTasks { get; set; }

    /// <summary>How long a task stays queryable after it was created; later it is UNKNOWN (the provider keeps 24 hours).</summary>
    public TimeSpan TaskRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Whether this "region" offers the temporary file upload (only Beijing does); false answers the policy call 403.</summary>
    public bool TemporaryUploads { get; set; } = true;

    /// <summary>The region name the task list reports.</summary>
    public string Region { get; set; } = "cn-beijing";

    /// <summary>How long the fake waits for one media URL before it gives up, as the provider's download does.</summary>
    public TimeSpan ReferenceTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where media URLs are downloaded (and where a failure shows).</summary>
    public ReferenceCheck ReferenceCheck { get; set; } = ReferenceCheck.AtCreate;

    /// <summary>How long a result's <c>video_url</c> works after the task ended (the provider's is 24 hours).</summary>
    public TimeSpan VideoUrlTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The ffmpeg that renders the result videos.</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>Where result videos are written; null means a fresh folder under the system temp folder, removed on stop.</summary>
    public string? VideoDirectory { get; set; }

    /// <summary>Fails at start with a message that names the setting to fix.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ApiKey)) problems.Add($"{Section}:ApiKey must not be empty.");
        if (PendingTime < TimeSpan.Zero) problems.Add($"{Section}:PendingTime must not be negative.");
        if (TaskTime < PendingTime) problems.Add($"{Section}:TaskTime ({TaskTime}) must be at least {Section}:PendingTime ({PendingTime}).");
        if (ThrottleFirstCreates < 0) problems.Add($"{Section}:ThrottleFirstCreates must not be negative.");
        if (ThrottleCreatesPerSecond < 0) problems.Add($"{Section}:ThrottleCreatesPerSecond must not be negative (0 means no limit).");
        if (ResponseDelay < TimeSpan.Zero) problems.Add($"{Section}:ResponseDelay must not be negative.");
        if (TaskRetention <= TimeSpan.Zero) problems.Add($"{Section}:TaskRetention must be positive.");
        if (ReferenceTimeout <= TimeSpan.Zero) problems.Add($"{Section}:ReferenceTimeout must be positive.");
        if (VideoUrlTtl <= TimeSpan.Zero) problems.Add($"{Section}:VideoUrlTtl must be positive.");
        if (string.IsNullOrWhiteSpace(FailTaskMessage)) problems.Add($"{Section}:FailTaskMessage must not be empty.");
        if (FailTaskCode is { } code && string.IsNullOrWhiteSpace(code)) problems.Add($"{Section}:FailTaskCode must be a code such as InternalError, or unset.");
        if (problems.Count > 0) throw new InvalidOperationException("The fake DashScope cannot start: " + string.Join(" ", problems));
    }
}
