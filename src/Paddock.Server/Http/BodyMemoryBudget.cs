using Microsoft.Extensions.Options;
using Paddock.Core.Configuration;

namespace Paddock.Server.Http;

/// <summary>How much memory request bodies may hold at once (section <c>Paddock:RequestBodies</c>).</summary>
public sealed class RequestBodyOptions : IValidatedSettings
{
    /// <summary>
    /// Bytes of memory that JSON request bodies may take at once, across all requests; a body counts with what reading
    /// it takes (<see cref="RequestBody.CostPerByte"/> times its size). The default and least is what the largest body
    /// (128 MiB: nine 10 MB images as data: URLs) takes; past it, requests wait up to <see cref="BudgetWait"/>, then get
    /// a 503. Bodies up to 64 KB are not counted.
    /// </summary>
    public long MemoryBudget { get; set; } = RequestBody.MinimumBudget;

    /// <summary>How long a request waits for room in the budget before it is answered 503 with Retry-After.</summary>
    public TimeSpan BudgetWait { get; set; } = TimeSpan.FromSeconds(15);

    public void Validate(string section, ICollection<string> problems)
    {
        if (MemoryBudget < RequestBody.MinimumBudget)
            problems.Add($"{section}:MemoryBudget is {MemoryBudget}; it must be at least {RequestBody.MinimumBudget} (640 MiB): what reading the largest body (128 MiB) takes");
        if (BudgetWait < TimeSpan.Zero || BudgetWait > TimeSpan.FromMinutes(1))
            problems.Add($"{section}:BudgetWait is {BudgetWait}; it must be between 00:00:00 and 00:01:00, such as 00:00:15");
    }
}

public static class BodyMemoryBudgetRegistration
{
    public static IServiceCollection AddBodyMemoryBudget(this IServiceCollection services)
    {
        services.AddSettings<RequestBodyOptions>("Paddock:RequestBodies");
        services.AddSingleton<BodyMemoryBudget>();
        return services;
    }
}

/// <summary>
/// The memory budget for request bodies in flight: a count of bytes that requests reserve before they read a large
/// body and give back when done, so concurrent large bodies cannot take the server's memory however many arrive.
/// </summary>
public sealed class BodyMemoryBudget(IOptions<RequestBodyOptions> options, TimeProvider time)
{
    private readonly long _capacity = options.Value.MemoryBudget;
    private readonly Lock _gate = new();
    private long _reserved;
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Capacity => _capacity;

    public long Reserved
    {
        get { lock (_gate) return _reserved; }
    }

    /// <summary>Reserves <paramref name="bytes"/>, waiting up to <paramref name="wait"/> for room; null when there was none.</summary>
    public async Task<Reservation?> ReserveAsync(long bytes, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, _capacity);
        var deadline = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            Task released;
            lock (_gate)
            {
                if (_reserved + bytes <= _capacity)
                {
                    _reserved += bytes;
                    return new Reservation(this, bytes);
                }
                released = _released.Task;
            }
            var now = time.GetTimestamp();
            if (now >= deadline) return null;
            try
            {
                await released.WaitAsync(time.GetElapsedTime(now, deadline), time, cancellationToken);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
    }

    private void Release(long bytes)
    {
        TaskCompletionSource released;
        lock (_gate)
        {
            _reserved -= bytes;
            released = _released;
            _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        released.TrySetResult();
    }

    /// <summary>Bytes held in the budget until disposed.</summary>
    public sealed class Reservation(BodyMemoryBudget budget, long bytes) : IDisposable
    {
        private long _bytes = bytes;

        public long Bytes => _bytes;

        public void Dispose()
        {
            var bytes = Interlocked.Exchange(ref _bytes, 0);
            if (bytes > 0) budget.Release(bytes);
        }
    }
}
