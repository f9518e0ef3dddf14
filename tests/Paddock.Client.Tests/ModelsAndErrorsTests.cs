using Paddock.Client.Tests.Support;

namespace Paddock.Client.Tests;

/// <summary>The catalog, and how the server's refusals reach the caller.</summary>
[Collection(ServerCollection.Name)]
public sealed class ModelsAndErrorsTests(ServerFixture fixture)
{
    [Fact]
    public async Task Lists_reads_and_searches_models_with_their_schema()
    {
        var client = fixture.Server.CreateClient();

        var models = await client.ListModelsAsync();
        var r2v = Assert.Single(models, m => m.Id == HappyHorseR2VRequest.ModelId);
        Assert.Contains("image", r2v.InputCapabilities);
        Assert.Contains("video", r2v.OutputCapabilities);

        var model = await client.GetModelAsync(HappyHorseR2VRequest.ModelId);
        Assert.Equal("Happy Horse - Reference to Video", model.DisplayName);
        Assert.Equal("/videos/generate", model.Endpoint);
        Assert.NotNull(model.EngineName);

        var schema = await client.GetModelSchemaAsync(HappyHorseR2VRequest.ModelId);
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.Contains(schema["required"]!.AsArray(), n => n!.GetValue<string>() == "prompt");
        Assert.Equal(15, schema["properties"]!["duration"]!["maximum"]!.GetValue<int>());

        var found = await client.SearchModelsAsync("r2v");
        Assert.NotEmpty(found);
        Assert.All(found, m => Assert.Contains("r2v", m.Id, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_unknown_model_is_a_404_with_the_servers_detail()
    {
        var e = await Assert.ThrowsAsync<PaddockException>(() => fixture.Server.CreateClient().GetModelAsync("no-such-model"));

        Assert.Equal(404, e.Status);
        Assert.Equal("resource_not_found", e.ErrorType);
        Assert.Equal("Model not found: no-such-model", e.Detail);
        Assert.Contains("\"status_message\":\"resource_not_found\"", e.RawBody);
    }

    [Fact]
    public async Task An_invalid_request_is_a_400_naming_every_bad_field()
    {
        var request = TestMedia.Small("a cat");
        request.Duration = 99;
        request.AspectRatio = "2:1";

        var e = await Assert.ThrowsAsync<PaddockException>(() => fixture.Server.CreateClient().EnqueueAsync(request));

        Assert.Equal(400, e.Status);
        Assert.Equal("invalid_params", e.ErrorType);
        Assert.Contains("duration", e.Detail);
        Assert.Contains("aspect_ratio", e.Detail);
    }

    [Fact]
    public async Task A_wrong_key_is_a_401()
    {
        var client = fixture.Server.CreateClient(apiKey: "pk_wrong_key");

        var e = await Assert.ThrowsAsync<PaddockException>(() => client.ListGenerationsAsync());

        Assert.Equal(401, e.Status);
        Assert.Equal("unauthenticated", e.ErrorType);
    }

    [Fact]
    public async Task An_unknown_generation_is_a_404()
    {
        var e = await Assert.ThrowsAsync<PaddockException>(() => fixture.Server.CreateClient().GetGenerationAsync(Guid.NewGuid().ToString()));

        Assert.Equal(404, e.Status);
        Assert.Equal("resource_not_found", e.ErrorType);
    }
}
