namespace Paddock.Core.Queue;

/// <summary>
/// One namespace's queued rows of one priority in one lane (a sub-lane), as the fairness rule sees it: how many rows
/// wait in it, and its turn (when a claim last took from it: a number that grows with every claim, below zero while no claim has taken from it).
/// </summary>
public sealed record QueueTurn(string Namespace, int Priority, long Queued, long LastTurn);

/// <summary>
/// The fairness rule every store follows, written once.
/// <para>
/// Within a lane (the backend whose workers take its rows), a claim takes from the highest priority that has a
/// claimable row; within that priority, from the namespace whose sub-lane was claimed from least recently (lowest
/// <see cref="QueueTurn.LastTurn"/>, then the namespace name, ordinal), and within the namespace its oldest row. The
/// claimed sub-lane's turn then moves to the end. A sub-lane never claimed from has a newcomer's turn, before every
/// sub-lane claimed from (newcomers in the order they first got a row), so a namespace's first row gets the next claim. So namespaces take turns, one row each: a namespace that enqueues
/// one row while another has a hundred waiting is served within one round, whatever the order they were submitted in.
/// </para>
/// <para>
/// Claims move the taken sub-lane to the end of the order and take its head, so the order is a fixed rotation: the
/// row of rank r in its sub-lane (r - 1 of its namespace's rows ahead of it) goes in round r, after every row of
/// earlier rounds and after the rank-r rows of the sub-lanes ahead of its own in the rotation. Its position (1 =
/// claimed next) is therefore a sum over the lane's sub-lanes, each read from two counters, never a count of the queue:
/// every row of a higher priority, plus, for each sub-lane of its own priority, min(queued, r - 1), plus one for each
/// sub-lane ahead in the rotation that still has r rows. The position is exact while nothing else changes; a new
/// enqueue may go ahead of a row (another namespace's turn), as the rule intends.
/// </para>
/// </summary>
public static class FairQueue
{
    /// <summary>Whether <paramref name="a"/> takes its turn before <paramref name="b"/> (same priority).</summary>
    public static bool TurnsBefore(QueueTurn a, QueueTurn b) =>
        a.LastTurn < b.LastTurn || (a.LastTurn == b.LastTurn && string.CompareOrdinal(a.Namespace, b.Namespace) < 0);

    /// <summary>
    /// The 1-based position of a queued row whose rank in its own sub-lane is <paramref name="rank"/> (1 = its
    /// namespace's next), given every sub-lane of its lane (its own included, found by namespace and priority).
    /// </summary>
    public static long Position(long rank, string ns, int priority, IEnumerable<QueueTurn> lane)
    {
        ArgumentNullException.ThrowIfNull(lane);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        var turns = lane as IReadOnlyCollection<QueueTurn> ?? lane.ToList();
        var own = turns.FirstOrDefault(t => t.Priority == priority && t.Namespace == ns) ?? new QueueTurn(ns, priority, rank, 0);
        var position = rank;
        foreach (var turn in turns)
        {
            if (turn.Queued <= 0 || ReferenceEquals(turn, own) || (turn.Priority == priority && turn.Namespace == ns))
                continue;
            if (turn.Priority > priority)
                position += turn.Queued;
            else if (turn.Priority == priority)
                position += Math.Min(turn.Queued, rank - 1) + (turn.Queued >= rank && TurnsBefore(turn, own) ? 1 : 0);
        }
        return position;
    }
}
