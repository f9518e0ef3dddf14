using System.Text.Json.Nodes;
using Json.Schema;
using Paddock.Core.Validation;

namespace Paddock.Core.Models;

/// <summary>
/// A model of the catalog: its public description, the engine that renders it, and its request
/// schema — both the document served to clients and the validator built from that same document.
/// </summary>
public sealed class ModelDefinition
{
    public required string Id { get; init; }
    public required string DisplayName { get; init; }
    public required string Description { get; init; }
    public required string OwnedBy { get; init; }
    public required JsonObject Developer { get; init; }
    public required long Created { get; init; }
    public required string ReleasedAt { get; init; }
    public required string MediaType { get; init; }
    public required JsonObject Capabilities { get; init; }
    public required string Engine { get; init; }

    /// <summary>The request schema as served (<c>request_schema</c> and <c>json_request_schema</c>).</summary>
    public required JsonObject RequestSchema { get; init; }

    /// <summary>The validator compiled from <see cref="RequestSchema"/>.</summary>
    public required JsonSchema Validator { get; init; }

    /// <summary>
    /// The same schema as plain checks, the quick "valid" for most requests (<see cref="CompiledRequestSchema"/>); null
    /// where the schema uses keywords it does not compile, and then <see cref="Validator"/> evaluates every request.
    /// </summary>
    public CompiledRequestSchema? CompiledSchema { get; init; }

    public string? DeveloperName => Developer["name"]?.GetValue<string>();
}
