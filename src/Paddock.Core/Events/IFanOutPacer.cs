namespace Paddock.Core.Events;

/// <summary>
/// Tells the <see cref="EventHub"/> when to wake its next slice of subscribers. A woken event stream writes to its
/// connection, and the write holds a transport buffer until the socket has sent it; the host, which owns those buffers,
/// holds the fan-out back while too many are still unsent, so one event to every stream does not need a buffer per stream
/// at once.
/// </summary>
public interface IFanOutPacer
{
    /// <summary>Completes when the next slice may be woken (at the latest after a short bound of the pacer's own).</summary>
    ValueTask WaitForRoomAsync();
}

/// <summary>No pacing: a host without its own transport buffers (tests, the worker role) wakes slices back to back.</summary>
public sealed class NoFanOutPacing : IFanOutPacer
{
    public ValueTask WaitForRoomAsync() => ValueTask.CompletedTask;
}
