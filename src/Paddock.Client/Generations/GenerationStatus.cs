using System.ComponentModel;

namespace Paddock.Client;

/// <summary>
/// The status of a generation: <see cref="Queued"/> → <see cref="Processing"/> → <see cref="Succeeded"/> |
/// <see cref="Failed"/>, or <see cref="Cancelled"/> from either of the first two. An extensible value: a status this
/// version does not know still round-trips through <see cref="ToString"/>.
/// </summary>
public readonly struct GenerationStatus : IEquatable<GenerationStatus>
{
    private readonly string? _value;

    /// <summary>Creates a status from its wire name.</summary>
    /// <param name="value">The wire name, e.g. <c>queued</c>.</param>
    public GenerationStatus(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>Accepted and waiting for a worker (<c>queued</c>).</summary>
    public static GenerationStatus Queued { get; } = new("queued");

    /// <summary>Being rendered (<c>processing</c>).</summary>
    public static GenerationStatus Processing { get; } = new("processing");

    /// <summary>The video exists (<c>succeeded</c>).</summary>
    public static GenerationStatus Succeeded { get; } = new("succeeded");

    /// <summary>The generation ended without a video (<c>failed</c>); the row's error message says why.</summary>
    public static GenerationStatus Failed { get; } = new("failed");

    /// <summary>Cancelled before it finished (<c>cancelled</c>).</summary>
    public static GenerationStatus Cancelled { get; } = new("cancelled");

    /// <summary>Whether the status is known at all: false for the default value (a rehydrated operation that has not been read yet).</summary>
    public bool IsKnown => _value is not null;

    /// <summary>Whether the generation has ended: succeeded, failed or cancelled (also the spelling <c>canceled</c>).</summary>
    public bool IsTerminal => _value is not null && (Equals(Succeeded) || Equals(Failed) || Equals(Cancelled)
        || string.Equals(_value, "canceled", StringComparison.OrdinalIgnoreCase));

    /// <summary>Compares two statuses by wire name, ignoring case.</summary>
    /// <param name="left">One status.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(GenerationStatus left, GenerationStatus right) => left.Equals(right);

    /// <summary>Compares two statuses by wire name, ignoring case.</summary>
    /// <param name="left">One status.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(GenerationStatus left, GenerationStatus right) => !left.Equals(right);

    /// <summary>Converts a wire name to a status.</summary>
    /// <param name="value">The wire name.</param>
    public static implicit operator GenerationStatus(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(GenerationStatus other) => string.Equals(_value, other._value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override bool Equals(object? obj) => obj is GenerationStatus other && Equals(other);

    /// <inheritdoc/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override int GetHashCode() => _value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(_value);

    /// <summary>The wire name (empty for an unknown status).</summary>
    public override string ToString() => _value ?? "";
}
