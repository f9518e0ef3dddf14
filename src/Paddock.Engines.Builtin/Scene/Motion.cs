namespace Paddock.Engines.Builtin.Scene;

/// <summary>How a reference is shown as a subject.</summary>
internal enum ActorStyle
{
    /// <summary>Cut out of its background with a soft matte, standing on the ground with a contact shadow.</summary>
    CutOut,

    /// <summary>The whole image, framed like a print with a border and a drop shadow: a subject that cannot be cut out.</summary>
    Card,

    /// <summary>A stand-in the renderer draws (a fox, a person, a ball) for a subject no reference gives.</summary>
    Figure,
}

/// <summary>How a stand-in figure holds its body at an instant; a figure draws each as a cycle of poses.</summary>
internal enum Gait
{
    Stand,
    Walk,
    Run,
    Leap,
    Fly,
    Float,
    Wave,
    Dance,
    Sit,
}

/// <summary>
/// One subject of a shot. Positions are world pixels at depth 1 (see <see cref="CameraPlan"/>):
/// <see cref="HomeX"/> and <see cref="GroundY"/> are where its feet start; <see cref="Height"/> is
/// its height at size 1. The director sets <see cref="TravelScale"/> so that the whole motion stays
/// on screen under the shot's camera. A stand-in (<see cref="StandIn"/>, no cast slot) hovers
/// <see cref="Hover"/> heights above the ground when it is a thing that does (a fish, a balloon).
/// </summary>
internal sealed record ActorPlan(
    int CastSlot,
    ActorStyle Style,
    IReadOnlyList<ActionCue> Actions,
    float HomeX,
    float GroundY,
    float Height,
    float Aspect,
    float Horizon,
    int Direction,
    float Phase,
    float TravelScale,
    bool Bust,
    StandInCue? StandIn = null,
    float Hover = 0f)
{
    public float Width => Height * Aspect;
}

/// <summary>
/// Where a subject is and how it is posed at one instant: feet position, lift above the ground, rotation about
/// the feet, scale; for a stand-in also its gait, how far through the gait's cycle it is (0..1), and which way
/// it heads (+1 right, -1 left: a drawn figure faces where it goes).
/// </summary>
internal readonly record struct Pose(float X, float Y, float Lift, float Rotation, float ScaleX, float ScaleY, float Size, Gait Gait = Gait.Stand, float Cycle = 0f, float Heading = 1f);

/// <summary>
/// The actions as motion curves. Each is a smooth function of time (eased starts and stops, no
/// random jitter), evaluated directly for any instant, so frames can be drawn in any order and a
/// sub-pixel position is exact. Several actions in one shot play one after another, each picking up
/// where the last one left the subject.
/// </summary>
internal static class Motion
{
    /// <summary>
    /// The pose at <paramref name="progress"/> (0..1 over the frames the shot shows) and
    /// <paramref name="seconds"/> into it, for a shot <paramref name="duration"/> seconds long;
    /// both already scaled by slow or fast motion.
    /// </summary>
    public static Pose Evaluate(ActorPlan actor, float progress, float seconds, float duration, int frameWidth)
    {
        progress = Math.Clamp(progress, 0f, 1f);
        var actions = actor.Actions;
        var count = Math.Max(1, actions.Count);
        var share = 1f / count;
        var index = Math.Min(count - 1, (int)(progress * count));
        var x = actor.HomeX;
        var size = 1f;
        var facing = 1f;
        var direction = (float)actor.Direction;

        // Actions already over leave the subject where they ended.
        for (var k = 0; k < index; k++)
        {
            var done = Single(At(actions, k), 1f, duration * share, duration * share, actor, direction, frameWidth);
            x += done.Dx;
            size *= done.Size;
            if (At(actions, k).Kind == ActionKind.Turn)
            {
                facing = -facing;
            }
        }

        var local = (progress - (index * share)) / share;
        var localSeconds = seconds - (index * share * duration);
        var current = At(actions, index);
        var motion = Single(current, local, localSeconds, duration * share, actor, direction, frameWidth);
        size *= motion.Size;
        var heading = current.Heading switch { Heading.Left => -1f, Heading.Right => 1f, _ => direction };
        var lift = motion.Lift + actor.Hover;

        // Nearer is lower on screen: a subject walking away rises towards the horizon as it shrinks.
        var groundY = actor.Bust ? actor.GroundY : actor.Horizon + ((actor.GroundY - actor.Horizon) * size);
        var breathing = 1f + (0.01f * MathF.Sin(MathF.Tau * ((0.3f * seconds) + actor.Phase)));
        return new Pose(
            x + motion.Dx,
            groundY - (lift * actor.Height * size),
            lift * actor.Height * size,
            motion.Rotation,
            motion.ScaleX * facing / MathF.Sqrt(breathing),
            motion.ScaleY * breathing,
            size,
            motion.Gait,
            motion.Cycle - MathF.Floor(motion.Cycle),
            heading);
    }

    private static ActionCue At(IReadOnlyList<ActionCue> actions, int index) =>
        actions.Count == 0 ? new ActionCue(ActionKind.Idle, Heading.None) : actions[index];

    /// <summary>The gaits a drawn figure may be in while doing <paramref name="kind"/> (what must be baked for it).</summary>
    public static IEnumerable<Gait> Gaits(ActionKind kind) => kind switch
    {
        ActionKind.Walk or ActionKind.Approach or ActionKind.Leave => [Gait.Walk],
        ActionKind.Run => [Gait.Run, Gait.Walk],
        ActionKind.Jump or ActionKind.Bounce => [Gait.Leap],
        ActionKind.Fly => [Gait.Fly],
        ActionKind.Float => [Gait.Float],
        ActionKind.Wave => [Gait.Wave],
        ActionKind.Dance => [Gait.Dance],
        ActionKind.Sit => [Gait.Sit],
        _ => [],
    };

    /// <summary>How far a moving action would carry a subject in <paramref name="seconds"/>, as a share of the frame width.</summary>
    public static float NaturalTravel(ActionKind kind, float seconds) => kind switch
    {
        ActionKind.Walk => MathF.Min(0.42f, 0.09f * seconds),
        ActionKind.Run => MathF.Min(0.62f, 0.22f * seconds),
        ActionKind.Fly => MathF.Min(0.55f, 0.15f * seconds),
        ActionKind.Bounce => MathF.Min(0.3f, 0.07f * seconds),
        ActionKind.Roll => MathF.Min(0.5f, 0.14f * seconds),
        ActionKind.Jump => MathF.Min(0.15f, 0.04f * seconds),
        _ => 0f,
    };

    private static Local Single(ActionCue action, float u, float t, float span, ActorPlan actor, float direction, int frameWidth)
    {
        var local = Moving(action, u, t, span, actor, direction, frameWidth);
        if (action.Kind is ActionKind.Fly or ActionKind.Bounce or ActionKind.Jump or ActionKind.Roll or ActionKind.Float
            && action.Heading is Heading.Toward or Heading.Away)
        {
            // Flying, bouncing or rolling towards the camera or away: it grows or shrinks as an approach or a leave does.
            var depth = Easing(u);
            var size = action.Heading == Heading.Toward ? 0.62f + (0.6f * depth) : 1f - (0.55f * depth);
            return local with { Dx = local.Dx * 0.3f, Size = local.Size * size };
        }

        return local;
    }

    private static Local Moving(ActionCue action, float u, float t, float span, ActorPlan actor, float direction, int frameWidth)
    {
        u = Math.Clamp(u, 0f, 1f);
        // A brisker action steps, beats and flaps faster and goes further in the same time.
        t = MathF.Max(0f, t) * action.Pace;
        var phase = actor.Phase;
        if (action.Heading == Heading.Left)
        {
            direction = -1f;
        }
        else if (action.Heading == Heading.Right)
        {
            direction = 1f;
        }

        var kind = action.Kind switch
        {
            ActionKind.Walk or ActionKind.Run when action.Heading == Heading.Toward => ActionKind.Approach,
            ActionKind.Walk or ActionKind.Run when action.Heading == Heading.Away => ActionKind.Leave,
            var other => other,
        };
        var travel = NaturalTravel(kind, span * action.Pace) * frameWidth * actor.TravelScale * direction;
        switch (kind)
        {
            case ActionKind.Walk:
            {
                var steps = (t * 1.9f) + phase;
                var contact = MathF.Abs(MathF.Sin(MathF.PI * steps));
                return new Local(travel * Glide(u), 0.035f * contact, 0.035f * MathF.Sin(MathF.PI * steps) * direction, 1f, 1f + (0.025f * (contact - 0.5f)), 1f, Gait.Walk, steps * 0.5f);
            }

            case ActionKind.Run:
            {
                var steps = (t * 3.2f) + phase;
                var contact = MathF.Abs(MathF.Sin(MathF.PI * steps));
                var lean = 0.11f * direction * Ramp(u);
                return new Local(travel * Glide(u), 0.07f * contact, lean + (0.03f * MathF.Sin(MathF.PI * steps)), 1f, 1f + (0.05f * (contact - 0.5f)), 1f, Gait.Run, steps * 0.5f);
            }

            case ActionKind.Jump:
            {
                // Crouch, take off stretched, hang, land squashed: one jump about every 1.1 s.
                var jumps = Math.Max(1, (int)MathF.Round(span / 1.1f));
                var cycle = (u * jumps) % 1f;
                var crouch = Bump(cycle, 0f, 0.2f);
                var air = Math.Clamp((cycle - 0.2f) / 0.6f, 0f, 1f);
                var height = 4f * air * (1f - air) * 0.38f * Vertical(action.Heading, 1.4f, 0.55f);
                var landing = Bump(cycle, 0.8f, 1f);
                var stretch = air is > 0f and < 1f ? 0.1f * (1f - (2f * MathF.Abs(air - 0.5f))) : 0f;
                var squash = (0.16f * crouch) + (0.14f * landing);
                return new Local(travel * Glide(u), height, 0.05f * direction * MathF.Sin(MathF.PI * air), 1f + (squash * 0.7f) - (stretch * 0.5f), 1f - squash + stretch, 1f, air is > 0.08f and < 0.92f ? Gait.Leap : Gait.Stand);
            }

            case ActionKind.Spin:
            {
                var turns = span > 3f ? 2f : 1f;
                var spin = Easing(u);
                return new Local(0f, 0.08f * MathF.Sin(MathF.PI * spin), MathF.Tau * turns * spin * direction, 1f, 1f, 1f);
            }

            case ActionKind.Turn:
            {
                // Turning round about a vertical axis: the image narrows to an edge and comes back mirrored.
                // Never quite edge-on: a subject does not vanish for a frame, it flips at its narrowest.
                var turn = Easing(Math.Clamp(u / 0.6f, 0f, 1f));
                var width = MathF.Cos(MathF.PI * turn);
                return new Local(0f, 0.03f * MathF.Sin(MathF.PI * turn), 0f, width < 0f ? MathF.Min(width, -0.12f) : MathF.Max(width, 0.12f), 1f, 1f);
            }

            case ActionKind.Wave:
            {
                var rock = MathF.Sin(MathF.Tau * ((1.5f * t) + phase)) * Envelope(u);
                return new Local(0f, 0.025f * MathF.Abs(rock), 0.13f * rock, 1f, 1f + (0.02f * MathF.Abs(rock)), 1f, Gait.Wave, (1.5f * t) + phase);
            }

            case ActionKind.Dance:
            {
                var beat = (t * 2.2f) + phase;
                var bounce = MathF.Abs(MathF.Sin(MathF.PI * beat));
                var sway = MathF.Sin(MathF.PI * beat * 0.5f) * Envelope(u);
                var step = 0.045f * frameWidth * MathF.Sin(MathF.PI * beat * 0.25f) * Envelope(u);
                return new Local(step, 0.06f * bounce * Envelope(u), 0.16f * sway, 1f + (0.05f * (1f - bounce)), 1f - (0.05f * (1f - bounce)), 1f, Gait.Dance, beat * 0.5f);
            }

            case ActionKind.Fly:
            {
                var rise = Easing(Math.Clamp(u / 0.3f, 0f, 1f));
                var altitude = (0.42f * rise) + (0.05f * MathF.Sin(MathF.Tau * ((0.45f * t) + phase)) * rise);
                var bank = (0.12f * direction * rise) + (0.05f * MathF.Sin(MathF.Tau * ((0.7f * t) + phase)));
                return new Local(travel * Glide(u), altitude * Vertical(action.Heading, 1.3f, 0.5f), bank, 1f, 1f, 1f, Gait.Fly, (2.6f * t) + phase);
            }

            case ActionKind.Float:
            {
                var rise = Easing(Math.Clamp(u / 0.35f, 0f, 1f));
                var hover = ((0.16f * Vertical(action.Heading, 1.8f, 0.65f)) * rise) + (0.045f * MathF.Sin(MathF.Tau * ((0.4f * t) + phase)));
                var drift = 0.03f * frameWidth * MathF.Sin(MathF.Tau * ((0.15f * t) + phase));
                return new Local(drift, hover, 0.06f * MathF.Sin(MathF.Tau * ((0.3f * t) + phase)), 1f, 1f, 1f, Gait.Float, (0.9f * t) + phase);
            }

            case ActionKind.Bounce:
            {
                var beat = (t * 1.7f) + phase;
                var air = MathF.Abs(MathF.Sin(MathF.PI * beat));
                var squash = MathF.Max(0f, 1f - (air * 5f)) * 0.22f;
                return new Local(travel * Glide(u), 0.26f * air * Vertical(action.Heading, 1.4f, 0.55f), 0f, 1f + squash, 1f - squash + (0.08f * air), 1f, air > 0.3f ? Gait.Leap : Gait.Stand);
            }

            case ActionKind.Roll:
            {
                // Rolls without slipping: it turns by the distance covered over its radius.
                var dx = travel * Glide(u);
                return new Local(dx, 0f, dx / MathF.Max(1f, actor.Height * 0.5f), 1f, 1f, 1f);
            }

            case ActionKind.Approach:
            {
                var near = Easing(u);
                var steps = (t * 1.8f) + phase;
                var bob = 0.03f * MathF.Abs(MathF.Sin(MathF.PI * steps));
                return new Local(0f, bob, 0.025f * MathF.Sin(MathF.PI * steps), 1f, 1f, 0.62f + (0.6f * near), Gait.Walk, steps * 0.5f);
            }

            case ActionKind.Leave:
            {
                var away = Easing(u);
                var steps = (t * 1.8f) + phase;
                var bob = 0.03f * MathF.Abs(MathF.Sin(MathF.PI * steps));
                return new Local(travel * 0.3f * away, bob, 0.025f * MathF.Sin(MathF.PI * steps), 1f, 1f, 1f - (0.55f * away), Gait.Walk, steps * 0.5f);
            }

            case ActionKind.Sit:
            {
                var down = Easing(Math.Clamp(u / 0.3f, 0f, 1f));
                return new Local(0f, 0f, 0f, 1f + (0.08f * down), 1f - (0.16f * down), 1f, down > 0.5f ? Gait.Sit : Gait.Stand);
            }

            case ActionKind.LookAround:
            {
                // Glances one way, then the other: a lean and a narrowing towards the side looked at.
                var look = MathF.Sin(MathF.Tau * ((0.35f * t) + phase)) * Envelope(u);
                return new Local(0f, 0f, 0.07f * look, 1f - (0.07f * MathF.Abs(look)), 1f, 1f);
            }

            default:
            {
                var sway = MathF.Sin(MathF.Tau * ((0.18f * t) + phase));
                return new Local(0f, 0f, 0.012f * sway, 1f, 1f, 1f);
            }
        }
    }

    /// <summary>How much higher ("up") or lower ("down") an airborne action goes than it would.</summary>
    private static float Vertical(Heading heading, float up, float down) => heading switch
    {
        Heading.Up => up,
        Heading.Down => down,
        _ => 1f,
    };

    /// <summary>Smoothstep: starts and stops at rest.</summary>
    private static float Easing(float x)
    {
        x = Math.Clamp(x, 0f, 1f);
        return x * x * (3f - (2f * x));
    }

    /// <summary>Eases in and out over the first and last fifth, constant speed between: a walk that does not crawl.</summary>
    private static float Glide(float u)
    {
        const float edge = 0.2f;
        u = Math.Clamp(u, 0f, 1f);
        var cruise = 1f / (1f - edge);
        if (u < edge)
        {
            return cruise * u * u / (2f * edge);
        }

        if (u > 1f - edge)
        {
            var v = 1f - u;
            return 1f - (cruise * v * v / (2f * edge));
        }

        return cruise * (u - (edge / 2f));
    }

    /// <summary>0 at the ends, 1 in the middle, rising and falling over the first and last 15%.</summary>
    private static float Envelope(float u) => Easing(u / 0.15f) * Easing((1f - u) / 0.15f);

    private static float Ramp(float u) => Easing(u / 0.2f);

    /// <summary>A smooth bump over [from, to] inside a 0..1 cycle.</summary>
    private static float Bump(float x, float from, float to)
    {
        if (x < from || x > to)
        {
            return 0f;
        }

        return MathF.Sin(MathF.PI * (x - from) / (to - from));
    }

    /// <summary>One action's contribution: horizontal travel (px), lift (share of height), rotation (rad), scale, size, and a drawn figure's gait and cycle.</summary>
    private readonly record struct Local(float Dx, float Lift, float Rotation, float ScaleX, float ScaleY, float Size, Gait Gait = Gait.Stand, float Cycle = 0f);
}
