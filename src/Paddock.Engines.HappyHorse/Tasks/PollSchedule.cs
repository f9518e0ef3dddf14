namespace Paddock.Engines.HappyHorse.Tasks;

/// <summary>
/// When to ask about a task again. Short waits while the task is young, then a tenth of its age, up to a cap: a task
/// is seen finished at most about 10% of its run time (or the first interval) after it finished, and a task of several
/// minutes costs a few dozen queries, not hundreds. The provider's SDK starts at 1 s and doubles to 5 s; its docs
/// suggest 15 s [sdk], [r2v-result]: the cap is a setting, and a backend-wide rate (QueryGate) keeps many tasks under
/// the account's limit.
/// </summary>
public sealed record PollSchedule(TimeSpan First, TimeSpan Max)
{
    public TimeSpan After(TimeSpan taskAge)
    {
        var proportional = taskAge / 10;
        return proportional < First ? First : proportional > Max ? Max : proportional;
    }
}
