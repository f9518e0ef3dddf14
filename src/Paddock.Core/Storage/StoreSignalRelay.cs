using Microsoft.Extensions.Hosting;
using Paddock.Core.Events;
using Paddock.Core.Orchestration;

namespace Paddock.Core.Storage;

/// <summary>
/// Passes the store's signals to what waits in this process: the event hub reads the log at once when it grew, idle
/// workers claim at once when rows were queued — whichever process committed the change, where the store can say so.
/// </summary>
public sealed class StoreSignalRelay(IStoreSignals signals, EventHub eventHub, QueueSignal queueSignal) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = signals.Subscribe(signal =>
        {
            if (signal.Change == StoreChange.EventsAppended) eventHub.Notify();
            else queueSignal.Notify(signal.Model);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
