using Paddock.Core.Auth;
using Paddock.Core.Events;
using Paddock.Core.Files;
using Paddock.Core.Queue;

namespace Paddock.Storage.Contract;

/// <summary>One opened instance of a backend: its stores and what closes them.</summary>
public sealed class StoreUnderTest(IGenerationStore generations, IEventLog events, IApiKeyStore apiKeys, IFileStore files, Paddock.Core.Webhooks.IWebhookStore webhooks, Paddock.Core.Quotas.IQuotaStore quotas, IAsyncDisposable owner)
    : IAsyncDisposable
{
    private int _disposed;

    public IGenerationStore Generations { get; } = generations;

    public IEventLog Events { get; } = events;

    public IApiKeyStore ApiKeys { get; } = apiKeys;

    public IFileStore Files { get; } = files;

    public Paddock.Core.Webhooks.IWebhookStore Webhooks { get; } = webhooks;
    public Paddock.Core.Quotas.IQuotaStore Quotas { get; } = quotas;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            await owner.DisposeAsync();
    }
}
