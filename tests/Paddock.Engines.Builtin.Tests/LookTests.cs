namespace Paddock.Engines.Builtin.Tests;

/// <summary>
/// A look changes how the picture looks, never how much of it there is: no look word, alone or
/// stacked with the darkest others, at any of the API's aspect ratios, leaves black bars or a
/// blank frame. Measured on rendered frames: every row and every column of the frame holds picture
/// (some pixel brighter than black), and the picture has contrast.
/// </summary>
public sealed class LookTests
{
    /// <summary>The API's five aspects at a small size (width, height).</summary>
    public static TheoryData<int, int> Aspects => new() { { 192, 108 }, { 108, 192 }, { 128, 128 }, { 160, 120 }, { 120, 160 } };

    public static TheoryData<string, string> LookPhrases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (entry, phrase) in PhraseTests.Lexicon("grades"))
        {
            data.Add(entry, phrase);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Aspects))]
    public void Cinematic_fills_the_whole_frame_at_every_aspect(int width, int height)
    {
        var job = TestMedia.Job(width, height, 3, [], "A fox walks through a beautiful garden, cinematic lighting.", seed: 42);

        foreach (var frame in TestMedia.Frames(job, [0, 36, 71]))
        {
            AssertFilled(frame, width, height, "cinematic");
        }
    }

    [Theory]
    [MemberData(nameof(LookPhrases))]
    public void No_look_word_shrinks_or_blanks_the_picture(string entry, string phrase)
    {
        foreach (var (width, height) in new[] { (192, 108), (108, 192) })
        {
            var job = TestMedia.Job(width, height, 3, [], $"A city street, {phrase}", seed: 3);
            AssertFilled(TestMedia.Frames(job, [36])[0], width, height, $"'{phrase}' ({entry}) at {width}x{height}");
        }
    }

    [Theory]
    [InlineData("at night, moonlight, film noir, dramatic, dark and moody")]
    [InlineData("midnight, darkness, black and white, noir, high contrast, cinematic")]
    [InlineData("neon, night, foggy, dramatic, vintage, cinematic")]
    public void The_darkest_looks_stacked_still_leave_a_picture(string looks)
    {
        foreach (var setting in new[] { "city street", "forest", "desert", "studio" })
        {
            var job = TestMedia.Job(192, 108, 3, [], $"The {setting}, {looks}", seed: 4);
            // A noir night sky may be black in places; most of the picture is not.
            AssertFilled(TestMedia.Frames(job, [36])[0], 192, 108, $"'{looks}' in the {setting}", blackLines: 0.05);
        }
    }

    /// <summary>No row or column is black (up to <paramref name="blackLines"/> of them), and the picture has light and contrast.</summary>
    private static void AssertFilled(byte[] frame, int width, int height, string what, double blackLines = 0)
    {
        var luma = Measure.Luma(frame, width, height);
        var blackRows = Enumerable.Range(0, height).Count(y => Enumerable.Range(0, width).All(x => luma[x, y] < 10));
        var blackColumns = Enumerable.Range(0, width).Count(x => Enumerable.Range(0, height).All(y => luma[x, y] < 10));
        Assert.True(blackRows <= blackLines * height && blackColumns <= blackLines * width, $"{what}: {blackRows} black rows, {blackColumns} black columns of {height}x{width}");

        var mean = luma.Values.Average();
        var spread = Math.Sqrt(luma.Values.Average(v => (v - mean) * (v - mean)));
        Assert.True(mean > 12 && spread > 6, $"{what}: mean luma {mean:F1}, spread {spread:F1}: the picture is blank");
    }
}
