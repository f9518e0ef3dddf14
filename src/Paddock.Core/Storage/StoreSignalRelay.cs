using Microsoft.Extensions.Hosting;
using Paddock.Core.Events;
using Paddock.Core.Orchestration;

namespace Paddock.Core.Storage;

/// <summary>
/// Passes the store's signals to what waits in this process: the event hub reads the log at once when it grew, idle
/// workers claim at once when rows were queued, a render here stops at once when its generation was cancelled —
/// whichever process committed the change, where the store can say so.
/// </summary>
public sealed class StoreSignalRelay(IStoreSignals signals, EventHub eventHub, QueueSignal queueSignal, CancellationHub cancellations) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = signals.Subscribe(signal =>
        {
            switch (signal.Change)
            {
                case StoreChange.EventsAppended: eventHub.Notify(); break;
                case StoreChange.WorkQueued: queueSignal.Notify(signal.Model); break;
                case StoreChange.Cancelled when signal.GenerationId is { } id: cancellations.Cancel(id); break;
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
