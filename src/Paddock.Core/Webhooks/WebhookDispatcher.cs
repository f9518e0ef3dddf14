using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.Storage;

namespace Paddock.Core.Webhooks;

/// <summary>
/// The delivery loop of a process: derives deliveries from new terminal events, then sends the due ones it can lease,
/// records each attempt (delivered, retried after an exponential pause with jitter, or failed once the day is over), and
/// waits for the next event or due retry. Any number of processes may run it on one database: deriving is idempotent
/// and each delivery is leased to one sender at a time.
/// </summary>
public sealed partial class WebhookDispatcher(
    IWebhookStore store, WebhookSender sender, IStoreSignals signals, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookDispatcher> logger)
    : BackgroundService
{
    private const int DeriveBatch = 200;
    private readonly string _owner = $"{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Deliver) return;
        using var subscription = signals.Subscribe(s =>
        {
            if (s.Change == StoreChange.EventsAppended && _wake.CurrentCount == 0)
            {
                try { _wake.Release(); } catch (SemaphoreFullException) { }
            }
        });
        // A lease outlives an attempt's timeout, so a live sender never loses one mid-send.
        var lease = settings.Timeout * 2 + TimeSpan.FromSeconds(5);
        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                while (await store.DeriveDeliveriesAsync(DeriveBatch, settings.RetryFor, stoppingToken).ConfigureAwait(false) > 0) busy = true;
                var due = await store.ClaimDueAsync(_owner, lease, settings.Concurrency, stoppingToken).ConfigureAwait(false);
                if (due.Count > 0)
                {
                    busy = true;
                    await Task.WhenAll(due.Select(d => AttemptAsync(d, settings, stoppingToken))).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database is restarting, full or locked: the loop waits and tries again; nothing is lost (the log and rows stay).
                LogStoreProblem(e.Message);
            }
            if (busy) continue;
            try
            {
                await _wake.WaitAsync(settings.PollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task AttemptAsync(WebhookDelivery delivery, WebhookOptions settings, CancellationToken stoppingToken)
    {
        var endpoint = await store.GetEndpointAsync(delivery.Namespace, delivery.EndpointId, stoppingToken).ConfigureAwait(false);
        if (endpoint is null) return; // deleted meanwhile, with its deliveries
        var (code, error) = await sender.SendAsync(delivery, endpoint.SigningSecrets(time.GetUtcNow()), stoppingToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var delivered = error is null;
        DateTimeOffset? next = null;
        if (!delivered)
        {
            var at = now + settings.DelayAfter(delivery.Attempts + 1, RandomNumberGenerator.GetInt32(0, 10_001) / 10_000.0);
            if (at <= delivery.RetryUntil) next = at;
        }
        await store.RecordAttemptAsync(delivery.Id, _owner, new WebhookAttempt(now, delivered, code, error, next), CancellationToken.None).ConfigureAwait(false);
        if (!delivered) LogAttemptFailed(delivery.Id, delivery.GenerationId, delivery.Attempts + 1, error!, next);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {DeliveryId} of generation {GenerationId}: attempt {Attempt} failed ({Error}); next attempt at {NextAttemptAt}")]
    private partial void LogAttemptFailed(string deliveryId, Guid generationId, int attempt, string error, DateTimeOffset? nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook deliveries wait: {Problem}")]
    private partial void LogStoreProblem(string problem);

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
