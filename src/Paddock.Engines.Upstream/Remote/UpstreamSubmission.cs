using System.Globalization;
using System.Text.Json.Nodes;
using Paddock.Core.Engines;

namespace Paddock.Engines.Upstream.Remote;

/// <summary>
/// One submission of a generation to the upstream, as the row's checkpoint records it. <see cref="Number"/> counts the
/// submissions of this generation: a new one is made only after the upstream's generation ended in a failure worth
/// another try (or the upstream forgot it); each has its own <see cref="IdempotencyKey"/>, derived from the local
/// generation id and the number, so every attempt that repeats one submission sends the same key.
/// </summary>
/// <param name="UpstreamId">The upstream's generation id; null while the submission is recorded but its answer not yet.</param>
/// <param name="SubmittedAt">When it was first recorded here: the start of <see cref="UpstreamOptions.GenerationTimeout"/>.</param>
internal sealed record UpstreamSubmission(int Number, string IdempotencyKey, string? UpstreamId, DateTimeOffset SubmittedAt)
{
    public static UpstreamSubmission First(Guid generationId, DateTimeOffset now) => Numbered(generationId, 1, now);

    public UpstreamSubmission Next(Guid generationId, DateTimeOffset now) => Numbered(generationId, Number + 1, now);

    private static UpstreamSubmission Numbered(Guid generationId, int number, DateTimeOffset now) =>
        new(number, string.Create(CultureInfo.InvariantCulture, $"paddock-{generationId:D}-{number}"), null, now);

    public RemoteJob ToRemoteJob(string backend) => new(backend, UpstreamId, new JsonObject
    {
        ["submission"] = Number,
        ["idempotency_key"] = IdempotencyKey,
        ["submitted_at"] = SubmittedAt.ToUnixTimeMilliseconds(),
    });

    /// <summary>The submission a checkpoint recorded; one without this engine's data is taken as the generation's first.</summary>
    public static UpstreamSubmission FromRemoteJob(RemoteJob job, Guid generationId, DateTimeOffset now)
    {
        var number = job.Data?["submission"] is JsonValue n && n.TryGetValue(out int parsed) && parsed > 0 ? parsed : 1;
        var key = job.DataString("idempotency_key") is { Length: > 0 } k ? k : Numbered(generationId, number, now).IdempotencyKey;
        var at = job.Data?["submitted_at"] is JsonValue t && t.TryGetValue(out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : now;
        return new UpstreamSubmission(number, key, job.Id, at);
    }
}
