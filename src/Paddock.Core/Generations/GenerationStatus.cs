namespace Paddock.Core.Generations;

/// <summary>The lifecycle of a generation: queued → processing → succeeded | failed; queued/processing → cancelled.</summary>
public enum GenerationStatus
{
    Queued,
    Processing,
    Succeeded,
    Failed,
    Cancelled,
}

public static class GenerationStatusNames
{
    public static string ToWire(this GenerationStatus status) => status switch
    {
        GenerationStatus.Queued => "queued",
        GenerationStatus.Processing => "processing",
        GenerationStatus.Succeeded => "succeeded",
        GenerationStatus.Failed => "failed",
        GenerationStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(string? wire, out GenerationStatus status)
    {
        switch (wire)
        {
            case "queued": status = GenerationStatus.Queued; return true;
            case "processing": status = GenerationStatus.Processing; return true;
            case "succeeded": status = GenerationStatus.Succeeded; return true;
            case "failed": status = GenerationStatus.Failed; return true;
            case "cancelled": status = GenerationStatus.Cancelled; return true;
            default: status = default; return false;
        }
    }

    public static bool IsTerminal(this GenerationStatus status) =>
        status is GenerationStatus.Succeeded or GenerationStatus.Failed or GenerationStatus.Cancelled;
}
