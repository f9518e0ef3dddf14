namespace Paddock.Core.Storage;

/// <summary>
/// One caller's operation waiting for a store's group-committing writer (one transaction for the operations of many
/// callers), and the caller's way to its result. <typeparamref name="TContext"/> is the writer's view of its open
/// transaction.
/// </summary>
public abstract class PendingWrite<TContext>
{
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>What the operation threw when it last ran, if it did.</summary>
    public abstract Exception? Error { get; }

    /// <summary>Runs the operation; false when it threw (the exception is kept for the caller). It may run again after a rolled-back attempt.</summary>
    public abstract bool Execute(TContext context);

    /// <summary>The transaction committed: hand the caller its result, or its own exception.</summary>
    public abstract void Complete();

    /// <summary>The transaction did not commit: nothing of this operation was written; the caller gets its own exception, else <paramref name="reason"/>.</summary>
    public abstract void Abort(Exception reason);

    /// <summary>Nothing of this operation was written; the caller gets <paramref name="reason"/> whatever its operation threw (a lost connection, said as such).</summary>
    public abstract void Fail(Exception reason);

    /// <summary>The caller gave up before the operation committed; nothing of it was written.</summary>
    public abstract void Cancel();
}

/// <inheritdoc />
/// <param name="translate">Turns a store's own exception into what callers are promised (a full disk into storage-full); none keeps it.</param>
public sealed class PendingWrite<TContext, T>(Func<TContext, T> operation, CancellationToken cancellationToken, Func<Exception, Exception>? translate = null)
    : PendingWrite<TContext>
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;
    private Exception? _error;

    public Task<T> Task => _completion.Task;

    public override CancellationToken CancellationToken => cancellationToken;

    public override Exception? Error => _error;

    public override bool Execute(TContext context)
    {
        try
        {
            _result = operation(context);
            _error = null;
            return true;
        }
        catch (Exception exception)
        {
            _error = exception;
            return false;
        }
    }

    public override void Complete()
    {
        if (_error is null)
            _completion.TrySetResult(_result!);
        else
            _completion.TrySetException(Translate(_error));
    }

    public override void Abort(Exception reason) => _completion.TrySetException(Translate(_error ?? reason));

    public override void Fail(Exception reason) => _completion.TrySetException(reason);

    private Exception Translate(Exception e) => translate is null ? e : translate(e);

    public override void Cancel() => _completion.TrySetCanceled(cancellationToken);
}
