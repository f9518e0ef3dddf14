using SkiaSharp;

namespace Paddock.Engines.Builtin.Scene;

/// <summary>
/// The light and mood of a shot: the prompt's looks combined. Everything here is baked into the
/// layers and sprites once per shot (as a colour matrix), except the vignette, which is drawn per
/// frame over everything. A look never covers any of the picture: no bars, no blank frame.
/// </summary>
internal sealed record Look(
    TimeOfDay Time,
    float Exposure,
    float Contrast,
    float Saturation,
    float Temperature,
    float Tint,
    float Lift,
    float Fog,
    float Vignette,
    float Depth,
    SKColor? Tone,
    bool Neon)
{
    /// <summary>Rec. 709 luma weights: the output is BT.709, so "no colour" means equal R, G and B under these.</summary>
    private const float LumaR = 0.2126f;
    private const float LumaG = 0.7152f;
    private const float LumaB = 0.0722f;

    public static Look Neutral { get; } = new(TimeOfDay.Day, 1f, 1f, 1f, 0f, 0f, 0f, 0f, 0.25f, 0f, null, false);

    /// <summary>
    /// The darkest and most contrasted a stack of looks may get. Night with moonlight, noir and "dramatic"
    /// multiplied to an exposure of 0.15 and a contrast of 2: most of a city street went to pure black.
    /// </summary>
    private const float MinExposure = 0.34f;

    private const float MaxContrast = 1.6f;

    /// <summary>True when the look has no colour at all (black and white, noir): anything drawn must stay grey.</summary>
    public bool Monochrome => Saturation <= 0f && Tone is null;

    /// <summary>Multipliers multiply, shifts add, the rest take the strongest; the first time of day named wins.</summary>
    public static Look Combine(IEnumerable<GradeSpec> grades)
    {
        var look = Neutral;
        TimeOfDay? time = null;
        foreach (var grade in grades)
        {
            time ??= grade.Time;
            look = look with
            {
                Exposure = look.Exposure * (grade.Exposure ?? 1f),
                Contrast = look.Contrast * (grade.Contrast ?? 1f),
                Saturation = look.Saturation * (grade.Saturation ?? 1f),
                Temperature = Math.Clamp(look.Temperature + (grade.Temperature ?? 0f), -1f, 1f),
                Tint = Math.Clamp(look.Tint + (grade.Tint ?? 0f), -1f, 1f),
                Lift = MathF.Max(look.Lift, grade.Lift ?? 0f),
                Fog = MathF.Max(look.Fog, grade.Fog ?? 0f),
                Vignette = MathF.Max(look.Vignette, grade.Vignette ?? 0f),
                Depth = MathF.Max(look.Depth, grade.Depth ?? 0f),
                Tone = look.Tone ?? grade.Tone,
                Neon = look.Neon || grade.Neon,
            };
        }

        return look with
        {
            Time = time ?? TimeOfDay.Day,
            Exposure = Math.Clamp(look.Exposure, MinExposure, 2f),
            Contrast = Math.Clamp(look.Contrast, 0.4f, MaxContrast),
            Saturation = Math.Clamp(look.Saturation, 0f, 2.2f),
        };
    }

    /// <summary>
    /// The look on a subject: as the scene's, but a dark scene darkens it less (the square root of the exposure), as a
    /// key light would. Stacked dark grades (night, noir, moonlight) would otherwise leave the subject a silhouette.
    /// </summary>
    public Look ForSubject() => Exposure < 1f ? this with { Exposure = MathF.Sqrt(Exposure) } : this;

    /// <summary>A stable key: two looks with the same key bake to the same pixels.</summary>
    public string Key => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Time}|{Exposure:F3}|{Contrast:F3}|{Saturation:F3}|{Temperature:F3}|{Tint:F3}|{Lift:F3}|{Fog:F3}|{Depth:F3}|{Tone}|{Neon}");

    /// <summary>
    /// The 4×5 colour matrix of the whole grade (Skia's layout, unpremultiplied colours in 0..1),
    /// fog towards <paramref name="fogColor"/> by <paramref name="fog"/> applied first. White balance
    /// comes before saturation, so a look without saturation has identical R, G and B rows: grey in, grey out.
    /// </summary>
    public float[] Matrix(float fog, SKColor fogColor) => Build(fog, fogColor, exposure: true);

    /// <summary>The colour part only (white balance, saturation, tone), for lights that shine at their own brightness.</summary>
    public float[] ChromaMatrix() => Build(0f, SKColors.Black, exposure: false);

    /// <summary>A colour through the whole grade, as <see cref="Matrix"/> would draw it.</summary>
    public SKColor Apply(SKColor color, float fog = 0f, SKColor fogColor = default) => Transform(Matrix(fog, fogColor), color);

    public static SKColor Transform(float[] m, SKColor color)
    {
        var r = color.Red / 255f;
        var g = color.Green / 255f;
        var b = color.Blue / 255f;
        byte Channel(int row) => (byte)MathF.Round(255f * Math.Clamp((m[row * 5] * r) + (m[(row * 5) + 1] * g) + (m[(row * 5) + 2] * b) + m[(row * 5) + 4], 0f, 1f));
        return new SKColor(Channel(0), Channel(1), Channel(2), color.Alpha);
    }

    private float[] Build(float fog, SKColor fogColor, bool exposure)
    {
        var matrix = Identity();
        fog = Math.Clamp(fog, 0f, 0.95f);
        if (fog > 0f)
        {
            matrix = Multiply(Diagonal(1f - fog, fogColor.Red / 255f * fog, fogColor.Green / 255f * fog, fogColor.Blue / 255f * fog), matrix);
        }

        // White balance: warm lifts red and lowers blue; tint trades green against magenta.
        var warm = Temperature * 0.16f;
        var tint = Tint * 0.1f;
        matrix = Multiply(Scale(1f + warm + (tint * 0.5f), 1f + (warm * 0.15f) - tint, 1f - warm + (tint * 0.5f)), matrix);

        if (exposure)
        {
            matrix = Multiply(Diagonal(Exposure, 0f, 0f, 0f), matrix);
        }

        matrix = Multiply(Saturate(Saturation), matrix);
        if (exposure)
        {
            // Contrast turns about the exposed middle grey, so a dark look's shadows are not pushed below black.
            var pivot = 0.5f * MathF.Min(1f, Exposure) * (1f - Contrast);
            matrix = Multiply(Diagonal(Contrast, pivot, pivot, pivot), matrix);
            matrix = Multiply(Diagonal(1f - Lift, Lift, Lift, Lift), matrix);
        }

        if (Tone is { } tone)
        {
            // Normalised to the tone's luma, so a sepia tone colours without darkening.
            var luma = MathF.Max(0.05f, ((LumaR * tone.Red) + (LumaG * tone.Green) + (LumaB * tone.Blue)) / 255f);
            matrix = Multiply(Scale(tone.Red / 255f / luma, tone.Green / 255f / luma, tone.Blue / 255f / luma), matrix);
        }

        return ToSkia(matrix);
    }

    // 4×4 affine colour transforms as 3 rows of (r, g, b, offset); alpha passes through.
    private static float[,] Identity() => new float[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 } };

    private static float[,] Scale(float r, float g, float b) => new float[,] { { r, 0, 0, 0 }, { 0, g, 0, 0 }, { 0, 0, b, 0 } };

    /// <summary>Every channel times <paramref name="k"/>, plus an offset per channel.</summary>
    private static float[,] Diagonal(float k, float r, float g, float b) => new float[,] { { k, 0, 0, r }, { 0, k, 0, g }, { 0, 0, k, b } };

    private static float[,] Saturate(float s)
    {
        var i = 1f - s;
        return new float[,]
        {
            { (LumaR * i) + s, LumaG * i, LumaB * i, 0 },
            { LumaR * i, (LumaG * i) + s, LumaB * i, 0 },
            { LumaR * i, LumaG * i, (LumaB * i) + s, 0 },
        };
    }

    /// <summary><paramref name="a"/> after <paramref name="b"/>.</summary>
    private static float[,] Multiply(float[,] a, float[,] b)
    {
        var result = new float[3, 4];
        for (var row = 0; row < 3; row++)
        {
            for (var column = 0; column < 4; column++)
            {
                var sum = column == 3 ? a[row, 3] : 0f;
                for (var k = 0; k < 3; k++)
                {
                    sum += a[row, k] * b[k, column];
                }

                result[row, column] = sum;
            }
        }

        return result;
    }

    private static float[] ToSkia(float[,] m) =>
    [
        m[0, 0], m[0, 1], m[0, 2], 0, m[0, 3],
        m[1, 0], m[1, 1], m[1, 2], 0, m[1, 3],
        m[2, 0], m[2, 1], m[2, 2], 0, m[2, 3],
        0, 0, 0, 1, 0,
    ];
}
