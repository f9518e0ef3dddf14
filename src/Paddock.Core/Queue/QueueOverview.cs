namespace Paddock.Core.Queue;

/// <summary>How many generations of one namespace and model are in one status (wire name: queued, processing, …), from the kept counts.</summary>
public sealed record StatusCount(string Namespace, string Model, string Status, long Count);

/// <summary>How many rows one worker holds (status processing) now.</summary>
public sealed record WorkerLoad(string WorkerId, long Processing);
