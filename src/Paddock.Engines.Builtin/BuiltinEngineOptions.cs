namespace Paddock.Engines.Builtin;

/// <summary>Settings of the built-in renderer's encoder. Every one of them changes the output bytes.</summary>
public sealed class BuiltinEngineOptions
{
    /// <summary>The ffmpeg executable: a name on PATH or a full path.</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>libx264 preset (<c>ultrafast</c> … <c>veryslow</c>).</summary>
    public string Preset { get; set; } = "veryfast";

    /// <summary>Encoder threads. Pinned because the thread count changes the bitstream.</summary>
    public int Threads { get; set; } = 2;

    /// <summary>libx264 constant rate factor, 0–51.</summary>
    public int Crf { get; set; } = 23;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(FfmpegPath))
        {
            throw new ArgumentException("BuiltinEngineOptions.FfmpegPath must not be empty.", nameof(FfmpegPath));
        }

        if (string.IsNullOrWhiteSpace(Preset) || !Preset.All(char.IsAsciiLetterLower))
        {
            throw new ArgumentException($"BuiltinEngineOptions.Preset must be a libx264 preset name such as 'veryfast', not '{Preset}'.", nameof(Preset));
        }

        if (Threads is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "BuiltinEngineOptions.Threads must be between 1 and 64.");
        }

        if (Crf is < 0 or > 51)
        {
            throw new ArgumentOutOfRangeException(nameof(Crf), Crf, "BuiltinEngineOptions.Crf must be between 0 and 51.");
        }
    }
}
