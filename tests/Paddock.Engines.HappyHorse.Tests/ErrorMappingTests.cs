using Paddock.Core.Engines;
using Paddock.Engines.HappyHorse.Protocol;
using Paddock.Engines.HappyHorse.Requests;

namespace Paddock.Engines.HappyHorse.Tests;

/// <summary>
/// The provider's error codes (docs/providers/dashscope.md, Errors) as failure kinds: matched by code and status in any
/// case or alias, never by message, and the provider's message and code always kept.
/// </summary>
public sealed class ErrorMappingTests
{
    private static readonly ProviderFailures Failures = new("hh", "DASHSCOPE_API_KEY");
    private static readonly MediaFields TwoReferences = new(GenerationMode.ReferenceToVideo, 2, ReferenceDelivery.PublicUrl);

    private static EngineFailureException Call(int status, string? code, string message, TimeSpan? retryAfter = null) =>
        Failures.FromCall(new DashScopeException(CallOutcome.Answered, status, code, message, retryAfter), TwoReferences);

    [Theory]
    [InlineData(429, "Throttling.RateQuota", FailureKind.RateLimited)]
    [InlineData(429, "Throttling.AllocationQuota", FailureKind.RateLimited)]
    [InlineData(400, "throttling", FailureKind.RateLimited)]
    [InlineData(500, "InternalError", FailureKind.ProviderUnavailable)]
    [InlineData(503, null, FailureKind.ProviderUnavailable)]
    [InlineData(400, "InternalError.Timeout", FailureKind.ProviderUnavailable)]
    [InlineData(400, "DataInspectionFailed", FailureKind.Refused)]
    [InlineData(400, "data_inspection_failed", FailureKind.Refused)]
    [InlineData(400, "IPInfringementSuspect", FailureKind.Refused)]
    [InlineData(400, "InvalidParameter", FailureKind.InvalidInput)]
    [InlineData(400, "BadRequest.EmptyInput", FailureKind.InvalidInput)]
    [InlineData(401, "InvalidApiKey", FailureKind.EngineError)]
    [InlineData(403, "AccessDenied.Unpurchased", FailureKind.EngineError)]
    [InlineData(400, "Arrearage", FailureKind.EngineError)]
    public void Each_code_becomes_its_kind_with_the_providers_words_kept(int status, string? code, FailureKind kind)
    {
        var failure = Call(status, code, "Words of the provider.");
        Assert.Equal(kind, failure.Kind);
        Assert.Equal(code, failure.Code);
        Assert.Contains("Words of the provider.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_throttle_keeps_the_providers_retry_after()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), Call(429, "Throttling.RateQuota", "Requests rate limit exceeded.", TimeSpan.FromSeconds(7)).RetryAfter);
    }

    [Fact]
    public void A_media_problem_names_the_reference_and_what_to_change()
    {
        var download = Call(400, "InvalidParameter.DataInspection", "Unable to download the media resource during the data inspection process.");
        Assert.Equal(FailureKind.InvalidInput, download.Kind);
        Assert.StartsWith("reference_images: ", download.Message, StringComparison.Ordinal); // two references, the provider did not say which
        Assert.Contains("Paddock:PublicBaseUrl", download.Message, StringComparison.Ordinal);

        var second = Call(400, "InvalidParameter", "input.media[1] is 300x300: the shortest side must be at least 400 pixels.");
        Assert.StartsWith("reference_images[1]: ", second.Message, StringComparison.Ordinal);
        var firstFrame = Failures.FromCall(new DashScopeException(CallOutcome.Answered, 400, "InvalidParameter.FileDownload", "download failed"),
            new MediaFields(GenerationMode.ImageToVideo, 1, ReferenceDelivery.DataUri));
        Assert.StartsWith("input_image: ", firstFrame.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_key_names_the_variable_and_its_setting()
    {
        var failure = Call(401, "InvalidApiKey", "Invalid API-key provided.");
        Assert.Contains("environment variable DASHSCOPE_API_KEY (Paddock:Backends:hh:ApiKeyVariable)", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_answer_at_all_is_a_provider_outage_and_a_failed_task_keeps_its_own_code()
    {
        var dropped = Failures.FromCall(new DashScopeException(CallOutcome.NoAnswer, null, null, "the connection failed"), TwoReferences);
        Assert.Equal(FailureKind.ProviderUnavailable, dropped.Kind);

        var refused = Failures.FromTask(new TaskSnapshot("t-1", "FAILED", null, null, "DataInspectionFailed", "Output data may contain inappropriate content."), TwoReferences);
        Assert.Equal((FailureKind.Refused, "DataInspectionFailed"), (refused.Kind, refused.Code));
        var broken = Failures.FromTask(new TaskSnapshot("t-2", "FAILED", null, null, "InternalError", "Something broke."), TwoReferences);
        Assert.Equal(FailureKind.EngineError, broken.Kind); // final: retrying would create a second task
        Assert.Contains("Something broke.", broken.Message, StringComparison.Ordinal);
    }
}
