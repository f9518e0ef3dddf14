using System.Text.Json.Nodes;
using Paddock.Core.Engines;

namespace Paddock.Engines.HappyHorse.Tasks;

/// <summary>
/// What the engine writes on a generation's row (<see cref="RemoteJob"/>), in three states: about to create a task (no
/// id: if the process dies before the answer is recorded, the next attempt must look for the task rather than create
/// another); the create was answered with an error (no task exists: the next attempt may create one); and the task's id.
/// Each carries when the create was sent and which provider model, to find the task again and to time it out.
/// </summary>
public static class TaskCheckpoint
{
    private const string SubmittedAtKey = "submitted_at";
    private const string ModelKey = "model";
    private const string StateKey = "state";
    private const string Creating = "creating";
    private const string NotCreated = "not_created";

    public static RemoteJob Intent(string backend, string model, DateTimeOffset submittedAt) =>
        new(backend, null, Data(model, submittedAt, Creating));

    public static RemoteJob NoTask(string backend, string model, DateTimeOffset submittedAt) =>
        new(backend, null, Data(model, submittedAt, NotCreated));

    public static RemoteJob Task(string backend, string taskId, string model, DateTimeOffset submittedAt) =>
        new(backend, taskId, Data(model, submittedAt, state: null));

    /// <summary>An earlier attempt sent (or was about to send) a create whose answer it never recorded.</summary>
    public static bool IsUnansweredCreate(RemoteJob job) => job.Id is null && job.DataString(StateKey) == Creating;

    public static DateTimeOffset? SubmittedAt(RemoteJob job) =>
        job.Data?[SubmittedAtKey] is JsonValue v && v.TryGetValue(out long millis) ? DateTimeOffset.FromUnixTimeMilliseconds(millis) : null;

    public static string? Model(RemoteJob job) => job.DataString(ModelKey);

    private static JsonObject Data(string model, DateTimeOffset submittedAt, string? state)
    {
        var data = new JsonObject { [SubmittedAtKey] = submittedAt.ToUnixTimeMilliseconds(), [ModelKey] = model };
        if (state is not null) data[StateKey] = state;
        return data;
    }
}
