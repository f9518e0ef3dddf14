using Microsoft.Extensions.Options;
using Paddock.Core.Files;
using Paddock.Core.Generations;

namespace Paddock.Core.Retention;

/// <summary>What kind of thing expires: a generation's output, or an uploaded file.</summary>
public enum RetainedKind
{
    Outputs,
    Files,
}

/// <summary>
/// Namespaces whose rows written before <see cref="Before"/> have expired: one namespace (<see cref="Namespace"/>), or,
/// when it is null, every namespace but those in <see cref="Except"/> (which have a retention of their own).
/// </summary>
public sealed record ExpiryScope(string? Namespace, IReadOnlyCollection<string> Except, DateTimeOffset Before)
{
    public bool Covers(string ns) => Namespace is null ? !Except.Contains(ns) : Namespace == ns;
}

/// <summary>
/// When an output or a file expires, read from <see cref="RetentionOptions"/> as it is now: a change of the setting
/// applies to what is already stored. Expiry counts from when it was written (a generation's completion, a file's last
/// upload); a pinned one never expires.
/// </summary>
public sealed class RetentionPolicy(IOptions<RetentionOptions> options, TimeProvider time)
{
    private readonly RetentionOptions _options = options.Value;

    /// <summary>How long <paramref name="kind"/> of namespace <paramref name="ns"/> is kept; null: forever.</summary>
    public TimeSpan? RetentionOf(string ns, RetainedKind kind)
    {
        var own = _options.Namespaces.TryGetValue(ns, out var settings) ? Of(settings, kind) : null;
        var keep = own ?? Of(_options.Namespace, kind);
        return keep is { } span && span > TimeSpan.Zero ? span : null;
    }

    /// <summary>When the generation's output expires (or expired); null for a row with no output to expire, a pinned one, or one kept forever.</summary>
    public DateTimeOffset? ExpiresAt(Generation g)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (g.ExpiredAt is { } gone) return gone;
        if (g.Pinned || g.Status != GenerationStatus.Succeeded || g.CompletedAt is not { } completed) return null;
        return RetentionOf(g.Namespace, RetainedKind.Outputs) is { } keep ? completed + keep : null;
    }

    /// <summary>When the file expires (or expired); null for a pinned one or one kept forever.</summary>
    public DateTimeOffset? ExpiresAt(RepoFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.ExpiredAt is { } gone) return gone;
        if (file.Pinned) return null;
        return RetentionOf(file.Namespace, RetainedKind.Files) is { } keep ? file.UpdatedAt + keep : null;
    }

    /// <summary>
    /// Whether the output is gone for a reader: the sweeper deleted it, or its time passed and the sweeper has not come
    /// by yet (a reader never gets bytes after <see cref="ExpiresAt(Generation)"/>, whenever the sweep runs).
    /// </summary>
    public bool IsExpired(Generation g) => ExpiresAt(g) is { } at && at <= time.GetUtcNow();

    public bool IsExpired(RepoFile file) => ExpiresAt(file) is { } at && at <= time.GetUtcNow();

    /// <summary>The scopes a sweep at <paramref name="now"/> expires <paramref name="kind"/> in: each namespace with its own setting, then the rest.</summary>
    public IReadOnlyList<ExpiryScope> ScopesAt(DateTimeOffset now, RetainedKind kind)
    {
        var scopes = new List<ExpiryScope>();
        var own = new List<string>();
        foreach (var (ns, settings) in _options.Namespaces)
        {
            if (Of(settings, kind) is not { } keep) continue; // takes the default: swept with the rest
            own.Add(ns);
            if (keep > TimeSpan.Zero) scopes.Add(new ExpiryScope(ns, [], now - keep));
        }
        if (Of(_options.Namespace, kind) is { } fallback && fallback > TimeSpan.Zero)
            scopes.Add(new ExpiryScope(null, own, now - fallback));
        return scopes;
    }

    /// <summary>The message a reader of an expired output or file gets: what happened, and how to keep the next one.</summary>
    public static string ExpiredMessage(string what, DateTimeOffset at) =>
        $"{what} expired at {at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} and was deleted under this server's retention setting (Paddock:Retention); " +
        "pin what you want to keep (POST .../pin) before it expires, or ask the operator for a longer retention";

    private static TimeSpan? Of(RetentionSettings settings, RetainedKind kind) => kind == RetainedKind.Outputs ? settings.Outputs : settings.Files;
}
