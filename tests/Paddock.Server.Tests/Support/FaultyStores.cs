using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Events;
using Paddock.Core.Generations;
using Paddock.Core.Queue;

namespace Paddock.Server.Tests.Support;

/// <summary>
/// Test-only decorators around the real stores that fail chosen writes the way a full disk makes SQLite fail them
/// (SQLITE_FULL, error code 13), so a test can reach the error paths of a worker without filling a disk.
/// </summary>
public static class FaultyStores
{
    /// <summary>The error the real store raises when its disk is full.</summary>
    public static Exception DiskFull() => new SqliteException("SQLite Error 13: 'database or disk is full'.", 13);

    /// <summary>Wraps the registered <typeparamref name="T"/> so every resolution gets <paramref name="decorate"/>(the original).</summary>
    public static void Decorate<T>(IServiceCollection services, Func<T, T> decorate) where T : class
    {
        var original = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(original);
        services.AddSingleton<T>(sp => decorate(original.ImplementationFactory is { } factory ? (T)factory(sp)
            : original.ImplementationInstance is T instance ? instance
            : (T)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!)));
    }
}

/// <summary>The event log, failing the appends <see cref="FailWhen"/> picks.</summary>
public sealed class FaultyEventLog(IEventLog inner) : IEventLog
{
    public Func<EventDraft, bool> FailWhen { get; set; } = _ => false;
    public int Failed;

    public Task<StoredEvent> AppendAsync(EventDraft draft, CancellationToken cancellationToken = default)
    {
        if (!FailWhen(draft)) return inner.AppendAsync(draft, cancellationToken);
        Interlocked.Increment(ref Failed);
        return Task.FromException<StoredEvent>(FaultyStores.DiskFull());
    }

    public Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(string ns, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadAfterAsync(ns, afterSequence, limit, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadAllAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadAllAfterAsync(afterSequence, limit, cancellationToken);

    public Task<long> LatestSequenceAsync(CancellationToken cancellationToken = default) => inner.LatestSequenceAsync(cancellationToken);
}

/// <summary>
/// The generation store, failing the lease renewals <see cref="FailHeartbeatOf"/> picks; every other call goes to the
/// real store unchanged. A proxy rather than a hand-written decorator, so it keeps up with the interface as it grows.
/// </summary>
public class FaultyGenerationStore : DispatchProxy
{
    private IGenerationStore _inner = null!;

    public Func<Guid, bool> FailHeartbeatOf { get; set; } = _ => false;
    public int Failed;

    /// <summary>The store to register, and this proxy to steer it.</summary>
    public static (IGenerationStore Store, FaultyGenerationStore Faults) Wrap(IGenerationStore inner)
    {
        var store = Create<IGenerationStore, FaultyGenerationStore>();
        var faults = (FaultyGenerationStore)(object)store;
        faults._inner = inner;
        return (store, faults);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IGenerationStore.HeartbeatAsync) && args?[0] is Lease lease && FailHeartbeatOf(lease.GenerationId))
        {
            Interlocked.Increment(ref Failed);
            return Task.FromException<LeaseState>(FaultyStores.DiskFull());
        }
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}
