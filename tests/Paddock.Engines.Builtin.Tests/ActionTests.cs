namespace Paddock.Engines.Builtin.Tests;

/// <summary>
/// Each action moves the subject the way its word says, measured on the frames: the fox is found
/// by its orange (nothing else in a plain studio is that colour) and its box followed over time.
/// </summary>
public sealed class ActionTests
{
    private const int Width = 320;
    private const int Height = 180;

    [Theory]
    [InlineData("walks")]
    [InlineData("runs")]
    [InlineData("flies")]
    [InlineData("bounces")]
    public void Travelling_actions_cross_the_frame(string verb)
    {
        var boxes = Follow(verb);

        var travel = Math.Abs(boxes[^1].CentreX - boxes[0].CentreX);
        Assert.True(travel > Width * 0.05, $"{verb}: moved {travel:F1} px");
    }

    [Theory]
    [InlineData("jumps", 0.15)]
    [InlineData("flies", 0.25)]
    [InlineData("floats", 0.08)]
    [InlineData("bounces", 0.12)]
    public void Airborne_actions_leave_the_ground(string verb, double share)
    {
        var boxes = Follow(verb);

        var rise = boxes[0].Top - boxes.Min(b => b.Top);
        Assert.True(rise > boxes[0].Height * share, $"{verb}: rose {rise:F1} px of a {boxes[0].Height:F0} px subject");
    }

    [Fact]
    public void Spinning_turns_the_subject_round()
    {
        var boxes = Follow("spins");

        var aspect = boxes[0].Width / boxes[0].Height;
        var changed = boxes.Max(b => Math.Abs((b.Width / b.Height) - aspect) / aspect);
        Assert.True(changed > 0.3, $"the box's shape changed by {changed:P0} at most");
    }

    [Fact]
    public void Turning_round_narrows_the_subject_to_an_edge_and_back()
    {
        var boxes = Follow("turns around");

        var narrowest = boxes.Min(b => b.Width);
        Assert.True(narrowest < boxes[0].Width * 0.6, $"narrowest {narrowest:F0} px of {boxes[0].Width:F0}");
        Assert.True(boxes[^1].Width > boxes[0].Width * 0.85, "the subject comes back to full width, mirrored");
    }

    [Theory]
    [InlineData("waves")]
    [InlineData("dances")]
    [InlineData("looks around")]
    public void Gestures_change_the_pose(string verb)
    {
        var boxes = Follow(verb);

        var sway = boxes.Max(b => Math.Abs(b.CentreX - boxes[0].CentreX)) + boxes.Max(b => Math.Abs(b.Width - boxes[0].Width));
        Assert.True(sway > 3, $"{verb}: the box moved or changed by {sway:F1} px at most");
    }

    [Theory]
    [InlineData("approaches", 1.5, double.MaxValue)]
    [InlineData("leaves", 0, 0.65)]
    [InlineData("sits", 0, 0.92)]
    public void Depth_and_posture_actions_change_the_size(string verb, double atLeast, double atMost)
    {
        var boxes = Follow(verb);

        var ratio = boxes[^1].Height / boxes[0].Height;
        Assert.InRange(ratio, atLeast, atMost);
    }

    [Fact]
    public void Motion_is_smooth_and_eased()
    {
        var boxes = Follow("walks");
        var steps = boxes.Zip(boxes.Skip(1), (a, b) => b.CentreX - a.CentreX).ToList();

        // No jumps, no jitter: consecutive steps differ by well under a pixel...
        var jerks = steps.Zip(steps.Skip(1), (a, b) => Math.Abs(b - a)).ToList();
        Assert.True(jerks.Max() < 1.2, $"largest change of speed {jerks.Max():F2} px/frame");
        // ...positions fall between pixels (sub-pixel motion)...
        Assert.Contains(boxes, b => Math.Abs(b.CentreX - Math.Round(b.CentreX)) > 0.1);
        // ...and the walk starts slower than it cruises.
        var start = Math.Abs(steps.Take(4).Average());
        var cruise = Math.Abs(steps.Skip(30).Take(10).Average());
        Assert.True(start < cruise * 0.6, $"starting speed {start:F2} px/frame, cruising {cruise:F2}");
    }

    /// <summary>The fox's box in every frame of "Image 1 VERB in the studio", with a still camera.</summary>
    private static List<Box> Follow(string verb)
    {
        var job = TestMedia.Job(Width, Height, 3, [TestMedia.Character("fox", 1)], $"Image 1 {verb} in the studio, static shot", seed: 9);
        return TestMedia.Frames(job).Select((frame, i) => { try { return Find(frame); } catch (Exception e) { throw new InvalidOperationException($"frame {i}: {e.Message}"); } }).ToList();
    }

    /// <summary>The box and weighted centre of the fox's orange, by coverage (sub-pixel).</summary>
    private static Box Find(byte[] bgra)
    {
        var box = Measure.ColourBox(bgra, Width, Height, Measure.Orange);
        Assert.True(box.Weight > 50, $"the fox is not in the frame (orange weight {box.Weight:F0})");
        return box;
    }
}
