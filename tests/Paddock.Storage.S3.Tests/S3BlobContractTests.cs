using Amazon.Runtime;
using Paddock.Core.Blobs;
using Paddock.Storage.Contract;
using Paddock.Testing;

namespace Paddock.Storage.S3.Tests;

/// <summary>The blob contract on a real S3-compatible server on loopback (s3rver), in a bucket of the test's own.</summary>
public sealed class S3BlobContractTests : BlobStoreContract
{
    protected override async Task<IBlobStore> OpenStoreAsync() => await OpenAsync(new S3BlobOptions());

    /// <summary>Parts of the smallest size S3 takes, so the 12 MiB blob goes up in three parts.</summary>
    internal static async Task<S3BlobStore> OpenAsync(S3BlobOptions options)
    {
        var server = await S3Server.SharedAsync();
        options.ServiceUrl = server.Endpoint;
        options.Bucket ??= S3Server.NewBucket();
        options.CreateBucket = true;
        options.PartSizeBytes = S3BlobOptions.MinimumPartSize;
        return new S3BlobStore(options, new BasicAWSCredentials(S3Server.AccessKey, S3Server.SecretKey));
    }
}
