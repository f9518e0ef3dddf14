using Paddock.Core.Blobs;
using Paddock.Storage.Contract;

namespace Paddock.Core.Tests;

/// <summary>The blob contract on the embedded default: a folder on the local disk.</summary>
public sealed class LocalDiskBlobContractTests : BlobStoreContract
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "paddock-blobs-" + Guid.NewGuid().ToString("N"));

    protected override Task<IBlobStore> OpenStoreAsync() => Task.FromResult<IBlobStore>(new LocalDiskBlobStore(_root));

    public override Task DisposeAsync()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }
}
