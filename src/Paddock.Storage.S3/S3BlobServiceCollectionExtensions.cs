using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.Blobs;
using Paddock.Core.Configuration;
using Paddock.Core.Hosting;

namespace Paddock.Storage.S3;

public static class S3BlobServiceCollectionExtensions
{
    private const string Section = "Paddock:Blobs:S3";

    /// <summary>
    /// References and outputs in an S3-compatible bucket (<c>Paddock:Blobs:Provider=s3</c> with <c>Paddock:Blobs:S3:*</c>),
    /// shared by every API and worker process. The credentials are read from the environment variables the settings name.
    /// </summary>
    public static IServiceCollection AddS3Blobs(this IServiceCollection services)
    {
        services.AddSettings<S3BlobOptions>(Section);
        services.AddSingleton<IValidateOptions<BlobOptions>, GivenWhenChosen>();
        return services.AddBlobBackend(BlobProvider.S3, sp =>
        {
            var options = sp.GetRequiredService<IOptions<S3BlobOptions>>().Value;
            var credentials = new BasicAWSCredentials(
                Environment.GetEnvironmentVariable(options.AccessKeyIdVariable)
                    ?? throw new StartupException($"the environment variable {options.AccessKeyIdVariable} (named by {Section}:AccessKeyIdVariable) is not set"),
                Environment.GetEnvironmentVariable(options.SecretAccessKeyVariable)
                    ?? throw new StartupException($"the environment variable {options.SecretAccessKeyVariable} (named by {Section}:SecretAccessKeyVariable) is not set"));
            return new S3BlobStore(options, credentials, sp.GetService<ILogger<S3BlobStore>>());
        });
    }

    /// <summary>The bucket and the credentials are needed only when S3 is the chosen store; then they are checked at start.</summary>
    private sealed class GivenWhenChosen(IOptions<S3BlobOptions> s3) : IValidateOptions<BlobOptions>
    {
        public ValidateOptionsResult Validate(string? name, BlobOptions options)
        {
            if (options.Provider != BlobProvider.S3) return ValidateOptionsResult.Success;
            var problems = s3.Value.ProblemsWhenChosen(Section, Environment.GetEnvironmentVariable).ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
