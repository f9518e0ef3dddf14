using System.Text.Json;
using Paddock.Core.Models;
using Paddock.Core.Validation;

namespace Paddock.Core.Tests;

public sealed class RequestValidatorTests
{
    private static readonly ModelCatalog Catalog = ModelCatalog.LoadBuiltIn();

    private static ValidatedRequest Valid(string json)
    {
        // Not disposed: the parameters may refer to the body's document (they do not copy its bytes).
        var doc = JsonDocument.Parse(json);
        var rejection = RequestValidator.Validate(doc.RootElement, Catalog, SubmissionKind.Queue, out var request);
        Assert.Null(rejection);
        return request!;
    }

    [Fact]
    public void Defaults_are_filled_in_schema_order_and_whole_numbers_stored_as_integers()
    {
        var request = Valid("{\"seed\":7.0,\"prompt\":\"a fox\",\"duration\":5.0,\"model\":\"happyhorse-1.0-r2v\"}");
        Assert.Equal("{\"prompt\":\"a fox\",\"aspect_ratio\":\"16:9\",\"resolution\":\"1080P\",\"duration\":5,\"seed\":7}", request.Parameters.ToJsonString());
    }

    [Fact]
    public void The_validator_is_the_served_schema()
    {
        // Change the served document and the rule changes with it: there is no second copy of the rules.
        var model = Catalog.Find("happyhorse-1.0-r2v")!;
        using var resource = typeof(ModelCatalog).Assembly.GetManifestResourceStream("Paddock.Catalog.happyhorse-1.0-r2v.json")!;
        var doc = System.Text.Json.Nodes.JsonNode.Parse(resource)!.AsObject();
        doc["request_schema"]!["properties"]!["duration"]!["maximum"] = 20;
        var edited = new ModelCatalog([ModelCatalog.Parse(doc)]);
        using var body = JsonDocument.Parse("{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"x\",\"duration\":18}");
        Assert.NotNull(RequestValidator.Validate(body.RootElement, Catalog, SubmissionKind.Queue, out _));
        Assert.Null(RequestValidator.Validate(body.RootElement, edited, SubmissionKind.Queue, out _));
        Assert.Equal(model.RequestSchema.ToJsonString(), Catalog.Find("happyhorse-1.0-r2v")!.RequestSchema.ToJsonString());
    }
}
