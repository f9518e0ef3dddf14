namespace Paddock.Storage.Postgres.Writing;

/// <summary>One caller's operation waiting for the writer, and the caller's way to its result.</summary>
internal abstract class PendingWrite
{
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>What the operation threw when it last ran, if it did.</summary>
    public abstract Exception? Error { get; }

    /// <summary>Runs the operation; false when it threw (the exception is kept). It may run again after a rolled-back attempt.</summary>
    public abstract bool Execute(PostgresWriteContext context);

    /// <summary>The transaction committed: hand the caller its result.</summary>
    public abstract void Complete();

    /// <summary>Nothing of this operation was written; the caller gets <paramref name="reason"/>.</summary>
    public abstract void Fail(Exception reason);

    /// <summary>The caller gave up before the operation committed; nothing of it was written.</summary>
    public abstract void Cancel();
}

internal sealed class PendingWrite<T>(Func<PostgresWriteContext, T> operation, CancellationToken cancellationToken) : PendingWrite
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;
    private Exception? _error;

    public Task<T> Task => _completion.Task;

    public override CancellationToken CancellationToken => cancellationToken;

    public override Exception? Error => _error;

    public override bool Execute(PostgresWriteContext context)
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

    public override void Complete() => _completion.TrySetResult(_result!);

    public override void Fail(Exception reason) => _completion.TrySetException(reason);

    public override void Cancel() => _completion.TrySetCanceled(cancellationToken);
}
