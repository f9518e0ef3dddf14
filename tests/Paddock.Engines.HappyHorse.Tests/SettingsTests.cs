using Microsoft.Extensions.Configuration;
using Paddock.Core.Engines;
using Paddock.Engines.HappyHorse.Requests;

namespace Paddock.Engines.HappyHorse.Tests;

/// <summary>A backend's settings are checked at start, and every problem names its key.</summary>
public sealed class SettingsTests
{
    private static IReadOnlyList<string> Problems(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var validator = new BackendSettingsValidator(configuration, [new HappyHorseEngineFactory()], []);
        var result = validator.Validate(null, new BackendSettingsValidator.Check());
        return result.Failed ? result.Failures.ToList() : [];
    }

    [Fact]
    public void A_complete_backend_needs_only_its_type_and_a_key_variable_that_is_set()
    {
        var variable = "PADDOCK_TEST_KEY_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, "sk-test");
        try
        {
            Assert.Empty(Problems(new() { ["Paddock:Backends:hh:Type"] = "happyhorse", ["Paddock:Backends:hh:ApiKeyVariable"] = variable }));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Every_bad_setting_is_named_with_what_it_takes()
    {
        var problems = Problems(new()
        {
            ["Paddock:Backends:hh:Type"] = "happyhorse",
            ["Paddock:Backends:hh:ApiKeyVariable"] = "PADDOCK_TEST_UNSET_" + Guid.NewGuid().ToString("N")[..8],
            ["Paddock:Backends:hh:Region"] = "eu",
            ["Paddock:Backends:hh:PromptReferenceStyle"] = "brackets",
            ["Paddock:Backends:hh:PollInterval"] = "00:00:02",
            ["Paddock:Backends:hh:MaxPollInterval"] = "00:00:01",
            ["Paddock:Backends:hh:Models:happyhorse-1.0-r2v"] = "wan2.7",
            ["Paddock:Backends:hh:ReferenceDelivery"] = "oss_upload",
            ["Paddock:Backends:hh:TaskTimout"] = "00:10:00",
        });
        Assert.Contains(problems, p => p.StartsWith("Paddock:Backends:hh:ApiKeyVariable names the environment variable PADDOCK_TEST_UNSET_", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Paddock:Backends:hh:Region is 'eu'; it must be one of intl, cn", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Paddock:Backends:hh:PromptReferenceStyle is 'brackets'; it must be one of bracketed, character", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Paddock:Backends:hh:MaxPollInterval (00:00:01) must not be shorter than Paddock:Backends:hh:PollInterval", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Paddock:Backends:hh:Models:happyhorse-1.0-r2v is 'wan2.7'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Paddock:Backends:hh:TaskTimout is not a setting; did you mean Paddock:Backends:hh:TaskTimeout?", StringComparison.Ordinal));
        // Region stayed intl (its bad value was refused), where the provider offers no temporary uploads.
        Assert.Contains(problems, p => p.StartsWith("Paddock:Backends:hh:ReferenceDelivery is oss_upload, but the provider offers temporary uploads only in the cn (Beijing) region", StringComparison.Ordinal));
    }

    [Fact]
    public void The_region_picks_the_documented_base_url_unless_one_is_given()
    {
        Assert.Equal("https://dashscope-intl.aliyuncs.com/api/v1", new HappyHorseOptions().ApiBase.ToString().TrimEnd('/'));
        Assert.Equal("https://dashscope.aliyuncs.com/api/v1", new HappyHorseOptions { Region = DashScopeRegion.Cn }.ApiBase.ToString().TrimEnd('/'));
        Assert.Equal("http://127.0.0.1:9/api/v1", new HappyHorseOptions { BaseUrl = new Uri("http://127.0.0.1:9/api/v1") }.ApiBase.ToString());
        Assert.Equal(new ProviderModel("happyhorse-1.1-i2v", GenerationMode.ImageToVideo), new HappyHorseOptions().ProviderModelFor("happyhorse-1.1-i2v"));
        // A model this backend was not told about is not sent under a name the provider may not have.
        Assert.Null(new HappyHorseOptions().ProviderModelFor("wan2.1-vace-r2v"));
    }
}
