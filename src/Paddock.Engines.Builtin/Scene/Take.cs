namespace Paddock.Engines.Builtin.Scene;

/// <summary>
/// What a seed decides for a whole clip, within what the prompt leaves open, so that two takes of
/// one prompt are a choice and not the same video twice: the light when none is named (a clear day,
/// golden hour, sunrise...), a shift of the palette, how close the camera frames, where a lone
/// subject stands and how big, how briskly everyone moves, and how far the camera travels. What the
/// prompt does say is kept: a "pan left" still pans left, "at night" is still night, a close-up is
/// still a close-up.
/// </summary>
internal sealed record Take(GradeSpec? Light, GradeSpec Palette, float Framing, float Placement, float SubjectScale, float Tempo, float CameraAmount)
{
    /// <summary>The same clip with no seed's say: what a take differs from.</summary>
    public static Take Plain { get; } = new(null, new GradeSpec("take"), 1f, 0.5f, 1f, 1f, 1f);

    public static Take For(long seed, Lexicon lexicon)
    {
        var random = DeterministicRandom.For(seed, "take");
        var lights = lexicon.TakeLights;
        var light = lights.Count > 0 ? lights[random.Next(lights.Count)] : null;
        var palette = new GradeSpec(
            "take",
            Temperature: random.Range(-0.2f, 0.2f),
            Tint: random.Range(-0.08f, 0.08f),
            Saturation: random.Range(0.9f, 1.15f),
            Exposure: random.Range(0.96f, 1.05f));
        return new Take(
            light,
            palette,
            Framing: random.Range(1f, 1.16f),
            Placement: random.Range(0.32f, 0.68f),
            SubjectScale: random.Range(0.86f, 1.1f),
            Tempo: random.Range(0.88f, 1.14f),
            CameraAmount: random.Range(0.8f, 1.3f));
    }

    /// <summary>The shot's looks with the take's: its light when the prompt names none, and its palette shift.</summary>
    public IReadOnlyList<GradeSpec> Grades(IReadOnlyList<GradeSpec> stated) =>
        Light is not null && stated.All(g => g.Time is null) ? [.. stated, Light, Palette] : [.. stated, Palette];
}
