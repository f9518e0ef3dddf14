namespace Paddock.Core.References;

/// <summary>An image of a request that cannot be used; the message names its field, e.g. <c>reference_images[2]: ...</c>.</summary>
public sealed class ReferenceImageException : Exception
{
    /// <summary>An image of <c>reference_images</c>, by its 0-based position.</summary>
    public ReferenceImageException(int position, string reason)
        : this($"reference_images[{position}]", position, reason)
    {
    }

    private ReferenceImageException(string field, int position, string reason)
        : base($"{field}: {reason}")
    {
        Position = position;
        Reason = reason;
    }

    /// <summary>The same problem, for the one <c>input_image</c> of an image-to-video request.</summary>
    public static ReferenceImageException InputImage(string reason) => new("input_image", 0, reason);

    public int Position { get; }

    /// <summary>What is wrong with the image, without its name.</summary>
    public string Reason { get; }
}
