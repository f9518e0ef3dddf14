namespace Paddock.Core.References;

/// <summary>One image of a request that cannot be used: the field that holds it and what is wrong with it.</summary>
/// <param name="Field"><c>reference_images[i]</c>, or <c>input_image</c>.</param>
/// <param name="Position">The image's 0-based place in the request.</param>
/// <param name="Reason">What is wrong, without the image's name.</param>
public sealed record ReferenceProblem(string Field, int Position, string Reason)
{
    public override string ToString() => $"{Field}: {Reason}";
}

/// <summary>
/// Images of a request that cannot be used — every one found, in request order — so a user fixes them in one round.
/// The message names each by its field: <c>reference_images[0]: ...; reference_images[2]: ...</c>.
/// </summary>
public sealed class ReferenceImageException : Exception
{
    /// <summary>An image of <c>reference_images</c>, by its 0-based position.</summary>
    public ReferenceImageException(int position, string reason)
        : this([new ReferenceProblem($"reference_images[{position}]", position, reason)])
    {
    }

    public ReferenceImageException(IReadOnlyList<ReferenceProblem> problems)
        : base(string.Join("; ", problems))
    {
        ArgumentOutOfRangeException.ThrowIfZero(problems.Count);
        Problems = problems;
    }

    /// <summary>The same problem, for the one <c>input_image</c> of an image-to-video request.</summary>
    public static ReferenceImageException InputImage(string reason) => new([new ReferenceProblem("input_image", 0, reason)]);

    /// <summary>Every image that cannot be used, in request order.</summary>
    public IReadOnlyList<ReferenceProblem> Problems { get; }
}
