namespace Paddock.Core.References;

/// <summary>A reference image that cannot be used; the message names it by position, e.g. <c>reference_images[2]: ...</c>.</summary>
public sealed class ReferenceImageException(int position, string reason)
    : Exception($"reference_images[{position}]: {reason}")
{
    public int Position { get; } = position;

    /// <summary>What is wrong with the image, without its name (models that take one <c>input_image</c> name it so).</summary>
    public string Reason { get; } = reason;
}
