namespace Paddock.Engines.HappyHorse.Requests;

/// <summary>What the provider's model takes as media [r2v], [i2v], [t2v] (docs/providers/dashscope.md, Models).</summary>
public enum GenerationMode
{
    /// <summary>No media.</summary>
    TextToVideo,

    /// <summary>Exactly one <c>first_frame</c>; no <c>ratio</c> (the video follows the image).</summary>
    ImageToVideo,

    /// <summary>One to nine <c>reference_image</c> items, named in the prompt.</summary>
    ReferenceToVideo,
}

/// <summary>A provider model name and the mode its name says.</summary>
public sealed record ProviderModel(string Name, GenerationMode Mode)
{
    /// <summary>The mode a HappyHorse model name says by its suffix, or null for a name that is not one.</summary>
    public static GenerationMode? ModeOf(string name) => name switch
    {
        _ when name.EndsWith("-r2v", StringComparison.Ordinal) => GenerationMode.ReferenceToVideo,
        _ when name.EndsWith("-i2v", StringComparison.Ordinal) => GenerationMode.ImageToVideo,
        _ when name.EndsWith("-t2v", StringComparison.Ordinal) => GenerationMode.TextToVideo,
        _ => null,
    };
}
