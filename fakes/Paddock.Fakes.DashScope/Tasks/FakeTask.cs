using Paddock.Fakes.DashScope.Media;
using Paddock.Fakes.DashScope.Protocol;

namespace Paddock.Fakes.DashScope.Tasks;

/// <summary>The task statuses [lifecycle]: PENDING → RUNNING → SUCCEEDED | FAILED; PENDING → CANCELED; UNKNOWN for an id the provider does not know.</summary>
public static class TaskStatuses
{
    public const string Pending = "PENDING";
    public const string Running = "RUNNING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string Canceled = "CANCELED";
    public const string Unknown = "UNKNOWN";

    public static bool IsTerminal(string status) => status is Succeeded or Failed or Canceled;
}

/// <summary>What a test can see of one task the fake created.</summary>
public sealed record FakeTaskSnapshot(
    string TaskId,
    VideoRequest Request,
    string Status,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? ScheduledAt,
    DateTimeOffset? EndedAt,
    string? Code,
    string? Message,
    int? Width,
    int? Height,
    IReadOnlyDictionary<string, string> Headers)
{
    public string Model => Request.Model;
    public string? Prompt => Request.Prompt;
}

/// <summary>One task: its request and its state, changed only under its lock, so a cancel and a start never both win.</summary>
public sealed class FakeTask(string id, string requestId, VideoRequest request, DateTimeOffset submittedAt, IReadOnlyDictionary<string, string> headers)
{
    private readonly Lock _gate = new();

    public string Id { get; } = id;
    public string RequestId { get; } = requestId;
    public VideoRequest Request { get; } = request;
    public DateTimeOffset SubmittedAt { get; } = submittedAt;
    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    /// <summary>The media the create call already downloaded (<see cref="ReferenceCheck.AtCreate"/>), or null for the task to fetch.</summary>
    public IReadOnlyList<FetchedMedia>? Media { get; init; }

    /// <summary>Whether the request asked for oss:// resolution; the task needs it when it fetches the media itself.</summary>
    public bool ResolveOss { get; init; }

    public CancellationTokenSource Canceled { get; } = new();

    public string Status { get; private set; } = TaskStatuses.Pending;
    public DateTimeOffset? ScheduledAt { get; private set; }
    public DateTimeOffset? EndedAt { get; private set; }
    public string? Code { get; private set; }
    public string? Message { get; private set; }
    public string? VideoPath { get; private set; }
    public (int Width, int Height)? Size { get; private set; }

    public bool TryStart(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (Status != TaskStatuses.Pending) return false;
            Status = TaskStatuses.Running;
            ScheduledAt = now;
            return true;
        }
    }

    /// <summary>Only a PENDING task can be canceled [lifecycle].</summary>
    public bool TryCancel(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (Status != TaskStatuses.Pending) return false;
            Status = TaskStatuses.Canceled;
            EndedAt = now;
        }
        Canceled.Cancel();
        return true;
    }

    public void Fail(DashScopeError error, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (TaskStatuses.IsTerminal(Status)) return;
            Status = TaskStatuses.Failed;
            Code = error.Code;
            Message = error.Message;
            EndedAt = now;
        }
    }

    public void Succeed(string videoPath, (int Width, int Height) size, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (TaskStatuses.IsTerminal(Status)) return;
            Status = TaskStatuses.Succeeded;
            VideoPath = videoPath;
            Size = size;
            EndedAt = now;
        }
    }

    public void SetSize((int Width, int Height) size)
    {
        lock (_gate) Size = size;
    }

    public FakeTaskSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new FakeTaskSnapshot(Id, Request, Status, SubmittedAt, ScheduledAt, EndedAt, Code, Message, Size?.Width, Size?.Height, Headers);
        }
    }
}
