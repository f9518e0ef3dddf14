using Paddock.Core.Configuration;

namespace Paddock.Media;

/// <summary>How backends' videos are checked and conformed (section <c>Paddock:Media</c>).</summary>
public sealed class MediaOptions : IValidatedSettings
{
    public string FfmpegPath { get; set; } = "ffmpeg";

    public string FfprobePath { get; set; } = "ffprobe";

    /// <summary>libx264 preset of a conformed video.</summary>
    public string Preset { get; set; } = "veryfast";

    /// <summary>libx264 quality of a conformed video (lower is better; a model's video deserves more than the default 23).</summary>
    public int Crf { get; set; } = 18;

    public void Validate(string section, ICollection<string> problems)
    {
        if (string.IsNullOrWhiteSpace(FfmpegPath)) problems.Add($"{section}:FfmpegPath is empty; give the ffmpeg executable");
        if (string.IsNullOrWhiteSpace(FfprobePath)) problems.Add($"{section}:FfprobePath is empty; give the ffprobe executable");
        if (string.IsNullOrWhiteSpace(Preset) || !Preset.All(char.IsAsciiLetterLower))
            problems.Add($"{section}:Preset is '{Preset}'; it must be a libx264 preset name such as veryfast or medium");
        if (Crf is < 0 or > 51) problems.Add($"{section}:Crf is {Crf}; it must be between 0 and 51");
    }
}
