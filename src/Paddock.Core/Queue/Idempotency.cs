namespace Paddock.Core.Queue;

/// <summary>
/// An <c>Idempotency-Key</c> sent with a submission: within its lifetime, the same key with the
/// same request <see cref="Fingerprint"/> answers with the generations the first call made.
/// </summary>
public sealed record IdempotencyClaim(string Namespace, string Key, string Fingerprint, DateTimeOffset ExpiresAt);

public enum IdempotencyResult
{
    /// <summary>The key was new: the rows were created.</summary>
    Created,
    /// <summary>The key was used before with the same request: nothing was created; these are the first call's rows.</summary>
    Replayed,
    /// <summary>The key was used before with a different request: nothing was created.</summary>
    Conflict,
    /// <summary>A limit refused the rows (<see cref="EnqueueOutcome.Refusal"/>): nothing was created, and the key was not used.</summary>
    Refused,
}

/// <param name="Refusal">Why the rows were refused, when <see cref="Result"/> is <see cref="IdempotencyResult.Refused"/>.</param>
public sealed record EnqueueOutcome(IdempotencyResult Result, IReadOnlyList<Guid> GenerationIds, Quotas.QuotaRefusal? Refusal = null);
