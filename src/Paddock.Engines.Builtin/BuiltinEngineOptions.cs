namespace Paddock.Engines.Builtin;

/// <summary>Settings of the built-in renderer's encoder. Every one of them changes the output bytes.</summary>
public sealed class BuiltinEngineOptions : Paddock.Core.Configuration.IValidatedSettings
{
    /// <summary>The ffmpeg executable: a name on PATH or a full path.</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>libx264 preset (<c>ultrafast</c> … <c>veryslow</c>).</summary>
    public string Preset { get; set; } = "veryfast";

    /// <summary>Encoder threads. Pinned because the thread count changes the bitstream.</summary>
    public int Threads { get; set; } = 2;

    /// <summary>libx264 constant rate factor, 0–51.</summary>
    public int Crf { get; set; } = 23;

    /// <summary>Adds a line for each setting that cannot work, naming it.</summary>
    public void Validate(string section, ICollection<string> problems)
    {
        if (string.IsNullOrWhiteSpace(FfmpegPath))
            problems.Add($"{section}:FfmpegPath is empty; give the ffmpeg executable (a name on PATH such as ffmpeg, or a full path)");
        if (string.IsNullOrWhiteSpace(Preset) || !Preset.All(char.IsAsciiLetterLower))
            problems.Add($"{section}:Preset is '{Preset}'; it must be a libx264 preset name such as ultrafast, veryfast, medium or slow");
        if (Threads is < 1 or > 64)
            problems.Add($"{section}:Threads is {Threads}; it must be between 1 and 64");
        if (Crf is < 0 or > 51)
            problems.Add($"{section}:Crf is {Crf}; it must be between 0 and 51 (lower is better quality; 23 is x264's default)");
    }

    /// <summary>Throws when a setting cannot work (for options built in code rather than bound at start).</summary>
    internal void Validate()
    {
        var problems = new List<string>();
        Validate("Paddock:Engines:Builtin", problems);
        if (problems.Count == 0) return;
        if (Threads is < 1 or > 64 || Crf is < 0 or > 51) throw new ArgumentOutOfRangeException(null, string.Join("; ", problems));
        throw new ArgumentException(string.Join("; ", problems));
    }
}
