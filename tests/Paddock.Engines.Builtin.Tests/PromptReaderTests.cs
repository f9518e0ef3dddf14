using Paddock.Engines.Builtin.Scene;

namespace Paddock.Engines.Builtin.Tests;

public sealed class PromptReaderTests
{
    [Fact]
    public void The_embedded_lexicon_loads_and_covers_every_kind()
    {
        var lexicon = Lexicon.Default;

        Assert.True(lexicon.PhraseCount > 500, $"{lexicon.PhraseCount} phrases");
        var tokens = new List<string>();
        var meanings = new List<Cue>();
        foreach (var action in Enum.GetValues<ActionKind>())
        {
            Assert.Contains(Kinds(lexicon), cue => cue.Kind == CueKind.Action && Equals(cue.Value, action));
        }

        foreach (var setting in Enum.GetValues<SettingKind>())
        {
            Assert.Contains(Kinds(lexicon), cue => cue.Kind == CueKind.Setting && Equals(cue.Value, setting));
        }

        foreach (var atmosphere in Enum.GetValues<AtmosphereKind>())
        {
            Assert.Contains(Kinds(lexicon), cue => cue.Kind == CueKind.Atmosphere && Equals(cue.Value, atmosphere));
        }

        Lexicon.Tokenize("Close-up", tokens);
        Assert.Equal(2, lexicon.Match(tokens, 0, meanings));
        Assert.Equal("close-up", meanings.Single().Name);

        static IEnumerable<Cue> Kinds(Lexicon lexicon) => Probe.All(lexicon);
    }

    [Fact]
    public void A_new_synonym_is_a_data_change()
    {
        var lexicon = Lexicon.Parse("""{ "actions": { "dance": ["moonwalks"] }, "settings": { "space": ["on mars"] } }""");

        var shot = PromptReader.Read("Image 1 moonwalks on Mars", 1, lexicon).Single();

        Assert.Equal(ActionKind.Dance, shot.Actors.Single().Actions.Single().Kind);
        Assert.Equal(SettingKind.Space, shot.Setting);
    }

    [Fact]
    public void A_lexicon_naming_something_the_renderer_cannot_draw_is_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => Lexicon.Parse("""{ "actions": { "teleport": ["blinks"] } }"""));

        Assert.Contains("teleport", error.Message);
    }

    [Fact]
    public void A_phrase_that_would_swallow_a_modifier_is_refused()
    {
        // "slow zoom" as a zoom in read "slow zoom out" as a zoom in: the modifier scales what follows it instead.
        var error = Assert.Throws<InvalidDataException>(() => Lexicon.Parse("""
            { "intensity": { "slow": 0.6 }, "cameras": { "zoom-in": { "phrases": ["zoom", "slow zoom"], "zoom": [1, 1.3] }, "zoom-out": { "phrases": ["zoom out"], "zoom": [1.3, 1] } } }
            """));

        Assert.Contains("'slow zoom'", error.Message);
    }

    [Theory]
    [InlineData("Image 1 waves, slow zoom out", "zoom-out", 0.6f)]
    [InlineData("Image 1 waves, zoom out slowly", "zoom-out", 0.6f)]
    [InlineData("Image 1 waves, fast zoom in", "zoom-in", 1.5f)]
    [InlineData("Image 1 waves, slow crane down", "crane-down", 0.6f)]
    [InlineData("Image 1 waves, orbit left", "orbit-left", 1f)]
    public void Modifiers_scale_the_camera_move_next_to_them(string prompt, string camera, float intensity)
    {
        var cue = PromptReader.Read(prompt, 1).Single().Camera.Single();

        Assert.Equal((camera, intensity), (cue.Spec.Name, cue.Intensity));
    }

    [Theory]
    [InlineData("Image 1 walks, truck left", "truck-left", null)]
    [InlineData("Image 1 walks, truck", "tracking", null)]
    [InlineData("A truck drives through the city", null, "truck")]
    [InlineData("Image 1 waves at the truck", null, "truck")]
    public void A_word_that_is_a_camera_move_and_a_subject_is_read_by_its_neighbours(string prompt, string? camera, string? subject)
    {
        var shot = PromptReader.Read(prompt, 1).Single();

        Assert.Equal(camera, shot.Camera.SingleOrDefault().Spec?.Name);
        Assert.Equal(subject, shot.Actors.Select(a => a.StandIn?.Subject.Name).OfType<string>().SingleOrDefault());
    }

    [Fact]
    public void Reads_subjects_actions_camera_look_place_and_particles()
    {
        var shot = PromptReader.Read("Image 1 walks slowly to the left through a misty forest at night while heavy rain falls, pan right, slow motion.", 1).Single();

        var actor = shot.Actors.Single();
        Assert.Equal(1, actor.ImageIndex);
        // "slowly" before the direction still paces the walk.
        Assert.Equal(new ActionCue(ActionKind.Walk, Heading.Left, 0.6f), actor.Actions.Single());
        Assert.Equal(SettingKind.Forest, shot.Setting);
        Assert.Contains(shot.Grades, g => g.Name == "night");
        Assert.Contains(shot.Grades, g => g.Name == "foggy");
        var rain = Assert.Single(shot.Atmosphere);
        Assert.Equal(AtmosphereKind.Rain, rain.Kind);
        Assert.True(rain.Intensity > 1.5f);
        Assert.Equal(["pan-right", "slow-motion"], shot.Camera.Select(c => c.Spec.Name));
    }

    [Fact]
    public void Sentences_then_cut_to_and_meanwhile_split_shots()
    {
        var shots = PromptReader.Read("Image 1 waves. Image 2 jumps then Image 1 spins; cut to Image 2 dancing meanwhile Image 1 sits", 2);

        Assert.Equal(5, shots.Count);
        Assert.Equal([TransitionKind.Cut, TransitionKind.Cut, TransitionKind.Dissolve, TransitionKind.Cut, TransitionKind.Cut],
            shots.Select(s => s.TransitionIn));
        Assert.Equal([ActionKind.Wave, ActionKind.Jump, ActionKind.Spin, ActionKind.Dance, ActionKind.Sit],
            shots.Select(s => s.Actors.Single().Actions.Single().Kind));
        Assert.Equal([1, 2, 1, 2, 1], shots.Select(s => s.Actors.Single().ImageIndex));
    }

    [Fact]
    public void A_sentence_without_subject_action_or_place_describes_the_shot_before()
    {
        var shots = PromptReader.Read("Image 1 walks in the garden. It is night. Snow falls gently.", 1);

        var shot = Assert.Single(shots);
        Assert.Contains(shot.Grades, g => g.Name == "night");
        Assert.Equal(AtmosphereKind.Snow, shot.Atmosphere.Single().Kind);
        // "snow" names a place too, but a weak one: the garden stays.
        Assert.Equal(SettingKind.Garden, shot.Setting);
    }

    [Fact]
    public void A_style_sentence_at_either_end_describes_the_whole_clip()
    {
        var shots = PromptReader.Read("Handheld. Image 1 walks in the garden. Then Image 1 jumps at night. Black and white, snowing.", 1);

        Assert.Equal(2, shots.Count);
        Assert.All(shots, s => Assert.Contains(s.Grades, g => g.Name == "black-and-white"));
        Assert.All(shots, s => Assert.Equal(AtmosphereKind.Snow, s.Atmosphere.Single().Kind));
        Assert.All(shots, s => Assert.Equal("handheld", s.Camera.Single().Spec.Name));
        Assert.DoesNotContain(shots[0].Grades, g => g.Name == "night");
        Assert.Contains(shots[1].Grades, g => g.Name == "night");
    }

    [Fact]
    public void A_shot_that_names_nobody_keeps_the_cast_and_takes_its_actions()
    {
        var shots = PromptReader.Read("Image 1 and Image 2 walk on the beach. Then they dance.", 2);

        Assert.Equal(2, shots.Count);
        Assert.Equal([1, 2], shots[1].Actors.Select(a => a.ImageIndex));
        Assert.All(shots[1].Actors, a => Assert.Equal(ActionKind.Dance, a.Actions.Single().Kind));
        Assert.All(shots[0].Actors, a => Assert.Equal(ActionKind.Walk, a.Actions.Single().Kind));
        Assert.Equal(SettingKind.Beach, shots[1].Setting);
    }

    [Theory]
    [InlineData("Image 1 walks through Image 2", 2)]
    [InlineData("Image 1 dances in front of the image2", 2)]
    [InlineData("Image 1 waves, Image 2 as the background", 2)]
    [InlineData("Image 1 jumps in the world of Image 2", 2)]
    public void An_image_named_as_a_place_is_the_set(string prompt, int set)
    {
        var shot = PromptReader.Read(prompt, 2).Single();

        Assert.Equal([set], shot.SetImages);
        Assert.Equal([1], shot.Actors.Select(a => a.ImageIndex));
    }

    [Theory]
    [InlineData("Image 1 leaves", "Leave", null)]
    [InlineData("Image 1 walks through autumn leaves", "Walk", "Leaves")]
    [InlineData("Image 1 runs as petals drifting past", "Run", "Petals")]
    [InlineData("Image 1 waves at the ocean waves", "Wave", null)]
    public void Words_with_two_meanings_are_read_by_their_neighbours(string prompt, string action, string? atmosphere)
    {
        var shot = PromptReader.Read(prompt, 1).Single();

        Assert.Equal(action, shot.Actors.Single().Actions.Single().Kind.ToString());
        Assert.Equal(atmosphere, shot.Atmosphere.Select(a => a.Kind.ToString()).SingleOrDefault());
    }

    [Fact]
    public void Negated_cues_are_dropped()
    {
        var shots = PromptReader.Read("Image 1 walks in the rain. Then Image 1 jumps, no rain.", 1);

        Assert.Equal(AtmosphereKind.Rain, shots[0].Atmosphere.Single().Kind);
        Assert.Empty(shots[1].Atmosphere);
    }

    [Fact]
    public void Places_and_looks_carry_forward_and_the_first_place_reaches_back()
    {
        var shots = PromptReader.Read("Image 1 waves. Image 1 runs across the desert at sunset. Image 1 jumps. Cut to Image 1 in the city.", 1);

        Assert.Equal([SettingKind.Desert, SettingKind.Desert, SettingKind.Desert, SettingKind.City], shots.Select(s => s.Setting));
        Assert.Empty(shots[0].Grades);
        Assert.Equal(["sunset"], shots[2].Grades.Select(g => g.Name));
        Assert.Equal(["sunset"], shots[3].Grades.Select(g => g.Name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("...!!!???;;;")]
    [InlineData("then then then cut to meanwhile")]
    [InlineData("Image 0 and Image 99999 and image 4 walk")]
    [InlineData("画像1が庭を歩く。🦊🦊🦊 Ünïcödé — ‘quotes’ \u0000\u0001\u0002 \uD800")]
    public void Odd_prompts_still_give_a_shot(string prompt)
    {
        var shots = PromptReader.Read(prompt, 3);

        Assert.NotEmpty(shots);
        Assert.True(shots.Count <= PromptReader.MaxShots);
        Assert.All(shots, s => Assert.All(s.Actors, a => Assert.InRange(a.ImageIndex, 1, 3)));
    }

    [Fact]
    public void Random_and_huge_prompts_never_throw()
    {
        var random = new Random(1234);
        var words = new[] { "Image 1", "image2", "@Image 3", "then", "cut to", "walks", "pan left", "night", "rain", "snow", "in", "the", ".", ",", "no", "heavy", "leaves", "as the background", "\n", "🦊", "é", "zoom in" };
        for (var round = 0; round < 200; round++)
        {
            var length = random.Next(0, 60);
            var prompt = string.Join(random.Next(2) == 0 ? " " : "", Enumerable.Range(0, length).Select(_ => random.Next(4) == 0
                ? new string((char)random.Next(1, 0xFFFF), random.Next(1, 4))
                : words[random.Next(words.Length)]));
            var shots = PromptReader.Read(prompt, random.Next(0, 4));
            Assert.InRange(shots.Count, 1, PromptReader.MaxShots);
        }

        var huge = string.Concat(Enumerable.Repeat("Image 1 walks then Image 2 jumps in the rain at night. ", 4000));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var many = PromptReader.Read(huge, 2);
        Assert.Equal(PromptReader.MaxShots, many.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"{clock.Elapsed.TotalMilliseconds:F0} ms");
    }
}

/// <summary>Every meaning a lexicon holds, found by matching each phrase of the JSON against itself.</summary>
internal static class Probe
{
    public static IEnumerable<Cue> All(Lexicon lexicon)
    {
        using var stream = typeof(Lexicon).Assembly.GetManifestResourceStream("Paddock.Engines.Builtin.Scene.Lexicon.json")!;
        using var document = System.Text.Json.JsonDocument.Parse(stream);
        var found = new List<Cue>();
        var tokens = new List<string>();
        var meanings = new List<Cue>();
        foreach (var text in Strings(document.RootElement))
        {
            tokens.Clear();
            Lexicon.Tokenize(text, tokens);
            if (tokens.Count > 0 && lexicon.Match(tokens, 0, meanings) > 0)
            {
                found.AddRange(meanings);
            }
        }

        return found;
    }

    private static IEnumerable<string> Strings(System.Text.Json.JsonElement element) => element.ValueKind switch
    {
        System.Text.Json.JsonValueKind.String => [element.GetString()!],
        System.Text.Json.JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        System.Text.Json.JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        _ => [],
    };
}
