using System.Collections.Concurrent;
using Paddock.Fakes.DashScope.Media;
using Paddock.Fakes.DashScope.Protocol;
using Paddock.Fakes.DashScope.Video;

namespace Paddock.Fakes.DashScope.Tasks;

/// <summary>
/// Holds the tasks and walks each through the provider's lifecycle [lifecycle]: PENDING for
/// <see cref="FakeDashScopeOptions.PendingTime"/> (cancelable), then RUNNING until <see cref="FakeDashScopeOptions.TaskTime"/>
/// after create, then SUCCEEDED with a real video — or FAILED as the knobs say. Knobs are read as each step happens.
/// </summary>
public sealed class TaskRunner(FakeDashScopeOptions options, TimeProvider time, ReferenceFetcher fetcher, VideoRenderer renderer) : IDisposable
{
    private readonly ConcurrentDictionary<string, FakeTask> _tasks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _forgotten = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentBag<Task> _running = [];

    public IReadOnlyList<FakeTask> All => _tasks.Values.OrderBy(t => t.SubmittedAt).ToList();

    public void Start(FakeTask task)
    {
        _tasks[task.Id] = task;
        _running.Add(Task.Run(() => RunAsync(task)));
    }

    /// <summary>The task behind an id, or null where the provider would answer UNKNOWN (never issued, forgotten, past retention).</summary>
    public FakeTask? Find(string taskId)
    {
        if (options.ForgetTasks || _forgotten.ContainsKey(taskId)) return null;
        if (!_tasks.TryGetValue(taskId, out var task)) return null;
        return time.GetUtcNow() - task.SubmittedAt > options.TaskRetention ? null : task;
    }

    public void Forget(string taskId) => _forgotten[taskId] = 0;

    private async Task RunAsync(FakeTask task)
    {
        using var stopOrCancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, task.Canceled.Token);
        try
        {
            await WaitUntilAsync(task.SubmittedAt + options.PendingTime, stopOrCancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // canceled while PENDING, or the fake is stopping
        }
        if (!task.TryStart(time.GetUtcNow())) return;

        try
        {
            var media = task.Media;
            if (media is null)
            {
                // ReferenceCheck.InTask: the worker downloads, and a failure ends the task instead of the create call.
                var (fetched, fetchError) = await fetcher.FetchAllAsync(task.Request, task.ResolveOss, _stopping.Token).ConfigureAwait(false);
                if (fetchError is not null)
                {
                    task.Fail(fetchError, time.GetUtcNow());
                    return;
                }
                media = fetched;
            }
            var (firstFrame, imageError) = ReferenceFetcher.CheckImages(task.Request, media);
            if (imageError is not null)
            {
                task.Fail(imageError, time.GetUtcNow());
                return;
            }

            var size = task.Request.OutputSize(firstFrame?.Width ?? 0, firstFrame?.Height ?? 0);
            task.SetSize(size);
            var video = renderer.RenderAsync(size.Width, size.Height, task.Request.Duration);
            await WaitUntilAsync(task.SubmittedAt + options.TaskTime, _stopping.Token).ConfigureAwait(false);
            string path;
            try
            {
                path = await video.ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                task.Fail(DashScopeError.InternalError("The fake could not render the video: " + e.Message), time.GetUtcNow());
                return;
            }

            if (options.RefusalStage == RefusalStage.Task && FakeDashScope.IsRefused(options, task.Request.Prompt))
                task.Fail(DashScopeError.OutputInspectionFailed, time.GetUtcNow());
            else if (options.FailTaskCode is { } code)
                task.Fail(new DashScopeError(200, code, options.FailTaskMessage), time.GetUtcNow());
            else
                task.Succeed(path, size, time.GetUtcNow());
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The fake is stopping: the task stays as it was, like a provider that went away.
        }
    }

    private async Task WaitUntilAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var wait = at - time.GetUtcNow();
        if (wait > TimeSpan.Zero) await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_running).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stopping.Dispose();
        foreach (var task in _tasks.Values) task.Canceled.Dispose();
    }
}
