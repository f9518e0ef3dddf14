using System.Text.Json.Nodes;
using Paddock.Client.Internal;

namespace Paddock.Client;

public sealed partial class PaddockClient
{
    /// <summary>Lists the models of the catalog (<c>GET /api/ai/models</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The models.</returns>
    public Task<IReadOnlyList<PaddockModel>> ListModelsAsync(CancellationToken cancellationToken = default) =>
        ListModelsAsync(developerName: null, cancellationToken);

    /// <summary>Lists the models of the catalog (<c>GET /api/ai/models</c>), optionally of one developer.</summary>
    /// <param name="developerName">Only models of this developer (<c>developer_name</c>); null for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The models.</returns>
    public Task<IReadOnlyList<PaddockModel>> ListModelsAsync(string? developerName, CancellationToken cancellationToken = default) =>
        ReadModelListAsync(_pipeline.Resolve("api/ai/models", [new("developer_name", developerName)]), cancellationToken);

    /// <summary>Finds models whose id or name contains a text (<c>GET /api/ai/models/search</c>).</summary>
    /// <param name="search">The text to look for.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The matching models.</returns>
    public Task<IReadOnlyList<PaddockModel>> SearchModelsAsync(string search, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        return ReadModelListAsync(_pipeline.Resolve("api/ai/models/search", [new("search", search)]), cancellationToken);
    }

    /// <summary>Reads one model (<c>GET /api/ai/models/{id}</c>).</summary>
    /// <param name="id">The model id, e.g. <c>happyhorse-1.0-r2v</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The model.</returns>
    /// <exception cref="PaddockException">404 <c>resource_not_found</c> for an unknown model.</exception>
    public async Task<PaddockModel> GetModelAsync(string id, CancellationToken cancellationToken = default)
    {
        var uri = _pipeline.Resolve($"api/ai/models/{Segment(id, nameof(id))}");
        using var response = await _pipeline.SendAsync(() => Get(uri), Ordinary, cancellationToken).ConfigureAwait(false);
        return PaddockModel.FromJson(await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Reads a model's request schema: the JSON Schema (with display hints) that the server validates requests
    /// against, so a <see cref="GenerationRequest"/> can be built or checked for any model.
    /// </summary>
    /// <param name="id">The model id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The model's <c>json_request_schema</c>.</returns>
    /// <exception cref="PaddockException">404 for an unknown model, or <c>invalid_response</c> when the model carries no schema.</exception>
    public async Task<JsonObject> GetModelSchemaAsync(string id, CancellationToken cancellationToken = default)
    {
        var model = await GetModelAsync(id, cancellationToken).ConfigureAwait(false);
        return model.GetRequestSchema()
            ?? throw new PaddockException(0, "invalid_response", "The model has no request schema.", $"model {id} was returned without a json_request_schema");
    }

    private async Task<IReadOnlyList<PaddockModel>> ReadModelListAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var response = await _pipeline.SendAsync(() => Get(uri), Ordinary, cancellationToken).ConfigureAwait(false);
        var json = await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        var items = json.ValueKind == System.Text.Json.JsonValueKind.Array ? json.EnumerateArray() : Json.Items(json, "data");
        return items.Where(m => m.ValueKind == System.Text.Json.JsonValueKind.Object).Select(PaddockModel.FromJson).ToList();
    }
}
