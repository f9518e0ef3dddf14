using Paddock.Core.Engines;
using Paddock.Engines.HappyHorse.Protocol;

namespace Paddock.Engines.HappyHorse.Tasks;

/// <summary>
/// Finds the task an interrupted attempt created but never recorded (the process died between the create call and
/// the checkpoint of its answer). The provider's create is not idempotent and its task list carries no prompt and no
/// client tag (docs/providers/dashscope.md, List tasks), so the only safe rule is: adopt a task only when exactly one
/// task of the model was created in the window around that create call, and no other generation owns it — and a
/// finished one, whose answer echoes its prompt, only when the prompt is this generation's. Anything else fails the
/// generation rather than risk a second paid task (or another generation's video).
/// </summary>
public sealed class LostTaskFinder(DashScopeClient client, string backend, TimeSpan createWindow)
{
    /// <summary>How far the provider's clock may be from ours.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);
    private const int PageSize = 100;
    private const int MaxPages = 10;

    /// <summary>The one task that is this generation's, or an <see cref="EngineFailureException"/> saying why none can be adopted.</summary>
    public async Task<string> FindAsync(RemoteJob intent, string model, string prompt, RenderContext context, CancellationToken cancellationToken)
    {
        var submittedAt = TaskCheckpoint.SubmittedAt(intent);
        if (submittedAt is null) throw Ambiguous("its time was not recorded", [], null);
        var from = submittedAt.Value - ClockSkew;
        var to = submittedAt.Value + createWindow + ClockSkew;

        var candidates = new List<string>();
        for (var page = 1; page <= MaxPages; page++)
        {
            var answer = await client.ListAsync(model, from, to, page, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var item in answer.Items)
            {
                // The query's window is in the provider's local time (a guess, see ProviderTime); the answer's epoch time decides.
                if (item.ModelName != model || item.CreatedAt is not { } created || created < from || created > to) continue;
                if (await context.IsRecordedElsewhereAsync(new RemoteJob(backend, item.TaskId), cancellationToken).ConfigureAwait(false)) continue;
                candidates.Add(item.TaskId);
            }
            if (page >= answer.TotalPages) break;
        }

        // A finished task echoes its prompt [r2v-result]: one that is not ours is ruled out.
        var mine = new List<string>();
        foreach (var id in candidates.Distinct(StringComparer.Ordinal))
        {
            var task = await client.QueryAsync(id, cancellationToken).ConfigureAwait(false);
            if (task.OrigPrompt is { } echoed && echoed != prompt) continue;
            mine.Add(id);
        }
        if (mine.Count != 1) throw Ambiguous(mine.Count == 0 ? $"no unclaimed {model} task was created then" : $"{mine.Count} unclaimed {model} tasks were created then", mine, submittedAt);
        return mine[0];
    }

    /// <summary>Said after adoption when another generation recorded the same task meanwhile (two interrupted attempts at once).</summary>
    public EngineFailureException Contested(string taskId, DateTimeOffset? submittedAt) => Ambiguous($"task {taskId} was also claimed by another generation", [taskId], submittedAt);

    private static EngineFailureException Ambiguous(string why, IReadOnlyList<string> ids, DateTimeOffset? submittedAt)
    {
        var when = submittedAt is { } at ? $" at {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "";
        var which = ids.Count > 0 ? $" ({string.Join(", ", ids)})" : "";
        return new EngineFailureException(FailureKind.EngineError,
            $"an earlier attempt of this generation was interrupted while creating its task at the provider{when}, before it could record the " +
            $"task's id, and {why}{which}: it may have created a task, so the request was not sent again, to avoid paying twice. Look for " +
            "the task in the provider's console and submit the generation again if there is none");
    }
}
