using Paddock.Storage.Sqlite.Internal;

namespace Paddock.Storage.Sqlite.Writing;

/// <summary>One caller's operation waiting for the writer, and the caller's way to its result.</summary>
internal abstract class PendingWrite
{
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>What the operation threw when it last ran, if it did.</summary>
    public abstract Exception? Error { get; }

    /// <summary>Runs the operation; false when it threw (the exception is kept for the caller).</summary>
    public abstract bool Execute(SqliteWriteContext context);

    /// <summary>The transaction committed: hand the caller its result, or its own exception.</summary>
    public abstract void Complete();

    /// <summary>The transaction did not commit: nothing of this operation was written.</summary>
    public abstract void Abort(Exception reason);

    /// <summary>The caller gave up before the operation ran; it was never executed.</summary>
    public abstract void Cancel();
}

internal sealed class PendingWrite<T>(Func<SqliteWriteContext, T> operation, CancellationToken cancellationToken) : PendingWrite
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;
    private Exception? _error;

    public Task<T> Task => _completion.Task;

    public override CancellationToken CancellationToken => cancellationToken;

    public override Exception? Error => _error;

    public override bool Execute(SqliteWriteContext context)
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
            _completion.TrySetException(SqliteErrors.Translate(_error));
    }

    public override void Abort(Exception reason) => _completion.TrySetException(SqliteErrors.Translate(_error ?? reason));

    public override void Cancel() => _completion.TrySetCanceled(cancellationToken);
}
