using Paddock.Core.Engines;

namespace Paddock.Engines.ComfyUI.Protocol;

/// <summary>
/// Cancels one prompt on its server: the atomic <c>POST /api/jobs/{id}/cancel</c> where the server has it (0.38 and
/// later); otherwise <c>POST /queue {"delete"}</c> while it waits and <c>POST /interrupt {"prompt_id"}</c> only while it
/// is the one running (an interrupt without the id would stop whatever runs, someone else's prompt included).
/// </summary>
internal static class RemoteCancel
{
    public static async Task<RemoteCancelOutcome> CancelAsync(ComfyClient server, string promptId, CancellationToken ct)
    {
        switch (await server.CancelJobAsync(promptId, ct).ConfigureAwait(false))
        {
            case true:
                return new RemoteCancelOutcome(RemoteCancelState.Cancelled, $"ComfyUI at {server.BaseUri} cancelled prompt {promptId}");
            case false:
                return new RemoteCancelOutcome(RemoteCancelState.Cancelled, $"prompt {promptId} was no longer queued or running on ComfyUI at {server.BaseUri}; nothing to cancel");
        }

        switch (await server.FindInQueueAsync(promptId, ct).ConfigureAwait(false))
        {
            case QueuePlace.Pending:
                await server.DeleteFromQueueAsync(promptId, ct).ConfigureAwait(false);
                return await server.FindInQueueAsync(promptId, ct).ConfigureAwait(false) == QueuePlace.Running
                    ? await InterruptAsync(server, promptId, ct).ConfigureAwait(false)  // it started meanwhile
                    : new RemoteCancelOutcome(RemoteCancelState.Cancelled, $"prompt {promptId} was removed from the queue of ComfyUI at {server.BaseUri}");
            case QueuePlace.Running:
                return await InterruptAsync(server, promptId, ct).ConfigureAwait(false);
            default:
                return new RemoteCancelOutcome(RemoteCancelState.Cancelled, $"prompt {promptId} was no longer queued or running on ComfyUI at {server.BaseUri}; nothing to cancel");
        }
    }

    private static async Task<RemoteCancelOutcome> InterruptAsync(ComfyClient server, string promptId, CancellationToken ct)
    {
        await server.InterruptAsync(promptId, ct).ConfigureAwait(false);
        return new RemoteCancelOutcome(RemoteCancelState.Cancelled, $"prompt {promptId} was interrupted on ComfyUI at {server.BaseUri}");
    }
}
