using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Paddock.Core.Generations;
using Paddock.Core.References;

namespace Paddock.Core.Engines;

/// <summary>
/// The one place a generation becomes an engine's job: its references fetched and checked, its exact size and frame
/// count, and its seed. The server's workers and <c>paddock render</c> both come through here.
/// </summary>
public sealed class RenderJobs(ReferenceFetcher fetcher)
{
    /// <summary>Models without a seed field still render deterministically per generation: the seed comes from its id.</summary>
    public static long SeedOf(Guid id) => BitConverter.ToUInt32(SHA256.HashData(id.ToByteArray())) & int.MaxValue;

    public async Task<RenderJob> PrepareAsync(Generation generation, CancellationToken cancellationToken)
    {
        var parameters = JsonNode.Parse(generation.Parameters)!.AsObject();
        // What the OpenAI face recorded on the row (the size asked, a remix's source) is not the model's: no engine sees it.
        parameters.Remove("openai");
        var job = await PrepareAsync(generation.Namespace, generation.Id, generation.Model, VideoParameters.From(parameters), seed: null, cancellationToken).ConfigureAwait(false);
        return job with { Parameters = parameters };
    }

    /// <param name="seed">A seed that wins over the parameters' (paddock render --seed); otherwise theirs, else one from the id.</param>
    public async Task<RenderJob> PrepareAsync(string ns, Guid id, string model, VideoParameters parameters, long? seed, CancellationToken cancellationToken)
    {
        var references = await fetcher.FetchImagesAsync(ns, parameters, cancellationToken).ConfigureAwait(false);
        return RenderJob.For(id, model, parameters, references, seed ?? parameters.Seed ?? SeedOf(id));
    }
}
