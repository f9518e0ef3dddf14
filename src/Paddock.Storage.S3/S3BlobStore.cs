using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Paddock.Core.Blobs;

namespace Paddock.Storage.S3;

/// <summary>
/// Blobs as objects in an S3-compatible bucket, shared by every process of a deployment. Keeps the <see cref="IBlobStore"/>
/// contract with the store's own operations: a PUT (or a completed multipart upload) replaces an object whole, so readers
/// never see part of one; each part is sent with its MD5 and the ETag the store answers is checked against the MD5s
/// computed here, so bytes changed on the way fail the put instead of being served later; reads are ranged GETs.
/// </summary>
public sealed partial class S3BlobStore : IBlobStore, IDirectReadUrls, IDisposable
{
    private readonly IAmazonS3 _s3;
    private readonly S3BlobOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _bucketGate = new(1, 1);
    private volatile bool _bucketReady;

    public S3BlobStore(S3BlobOptions options, AWSCredentials credentials, ILogger<S3BlobStore>? logger = null)
    {
        _options = options;
        _logger = logger ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            // Paddock verifies content itself (MD5 per part against the ETag); the SDK's newer trailing checksums are not
            // understood by every S3-compatible store, so they are sent only where an operation requires them.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrEmpty(options.ServiceUrl)) config.ServiceURL = options.ServiceUrl;
        else config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        _s3 = new AmazonS3Client(credentials, config);
        _bucketReady = !options.CreateBucket;
    }

    public async Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken = default)
    {
        BlobKeys.Check(key);
        await using var file = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await PutAsync(key, file, cancellationToken).ConfigureAwait(false);
    }

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        BlobKeys.Check(key);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        var partSize = (int)_options.PartSizeBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(partSize);
        try
        {
            var first = await FillAsync(content, buffer, partSize, cancellationToken).ConfigureAwait(false);
            if (first < partSize)
                await PutSingleAsync(key, buffer, first, cancellationToken).ConfigureAwait(false);
            else
                await PutMultipartAsync(key, content, buffer, first, partSize, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task PutSingleAsync(string key, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        var md5 = MD5.HashData(buffer.AsSpan(0, length));
        var response = await _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _options.Bucket,
            Key = ObjectKey(key),
            InputStream = new MemoryStream(buffer, 0, length, writable: false),
            MD5Digest = Convert.ToBase64String(md5),
            // s3rver stores aws-chunked framing as content (measured: the stored object kept the chunk headers); a plain body is understood everywhere.
            UseChunkEncoding = false,
            AutoCloseStream = false,
        }, cancellationToken).ConfigureAwait(false);
        await VerifyAsync(key, response.ETag, Convert.ToHexStringLower(md5), cancellationToken).ConfigureAwait(false);
    }

    private async Task PutMultipartAsync(string key, Stream content, byte[] buffer, int first, int partSize, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKey(key);
        var upload = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _options.Bucket, Key = objectKey }, cancellationToken)
            .ConfigureAwait(false);
        var parts = new List<PartETag>();
        var md5s = new List<byte[]>();
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        try
        {
            var length = first;
            while (length > 0)
            {
                var md5 = MD5.HashData(buffer.AsSpan(0, length));
                whole.AppendData(buffer, 0, length);
                var part = await _s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _options.Bucket,
                    Key = objectKey,
                    UploadId = upload.UploadId,
                    PartNumber = parts.Count + 1,
                    InputStream = new MemoryStream(buffer, 0, length, writable: false),
                    PartSize = length,
                    MD5Digest = Convert.ToBase64String(md5),
                    UseChunkEncoding = false,
                }, cancellationToken).ConfigureAwait(false);
                if (!SameETag(part.ETag, Convert.ToHexStringLower(md5)))
                    throw new BlobIntegrityException($"blob '{key}': part {parts.Count + 1} was stored with ETag {part.ETag}, not the MD5 of the bytes sent");
                parts.Add(new PartETag(parts.Count + 1, part.ETag));
                md5s.Add(md5);
                length = await FillAsync(content, buffer, partSize, cancellationToken).ConfigureAwait(false);
            }
            var done = await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _options.Bucket,
                Key = objectKey,
                UploadId = upload.UploadId,
                PartETags = parts,
            }, cancellationToken).ConfigureAwait(false);
            // S3's ETag of a multipart object is the MD5 of its parts' MD5s, then "-" and the number of parts; s3rver
            // 3.7.1 answers the MD5 of the whole object instead. Either one proves the bytes; anything else fails.
            var composite = Convert.ToHexStringLower(MD5.HashData(md5s.SelectMany(m => m).ToArray())) + "-" + parts.Count;
            var wholeMd5 = Convert.ToHexStringLower(whole.GetHashAndReset());
            await VerifyAsync(key, done.ETag, SameETag(done.ETag, wholeMd5) ? wholeMd5 : composite, cancellationToken).ConfigureAwait(false);
            LogMultipart(_logger, key, parts.Count);
        }
        catch
        {
            await AbortQuietlyAsync(objectKey, upload.UploadId).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>An object whose ETag is not the hash of what was sent is removed, so no reader is ever given it.</summary>
    private async Task VerifyAsync(string key, string? etag, string expected, CancellationToken cancellationToken)
    {
        if (SameETag(etag, expected)) return;
        await DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        throw new BlobIntegrityException($"blob '{key}' was stored with ETag {etag}, not {expected} (the hash of the bytes sent); it was removed");
    }

    private static bool SameETag(string? etag, string expected) => string.Equals(etag?.Trim('"'), expected, StringComparison.OrdinalIgnoreCase);

    private async Task AbortQuietlyAsync(string objectKey, string uploadId)
    {
        try
        {
            await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _options.Bucket, Key = objectKey, UploadId = uploadId }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException)
        {
            // The store ages out abandoned uploads itself; the original failure is the one to report.
        }
    }

    public async Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        BlobKeys.Check(key);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _options.Bucket, Key = ObjectKey(key) }, cancellationToken)
                .ConfigureAwait(false);
            return new BlobInfo(head.ContentLength);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<Stream?> OpenReadAsync(string key, BlobRange? range = null, CancellationToken cancellationToken = default)
    {
        BlobKeys.Check(key);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        if (range is { Length: 0 })
            return await GetInfoAsync(key, cancellationToken).ConfigureAwait(false) is null ? null : Stream.Null;
        var request = new GetObjectRequest { BucketName = _options.Bucket, Key = ObjectKey(key) };
        if (range is not null && (range.Offset > 0 || range.Length is not null))
            request.ByteRange = range.Length is { } length ? new ByteRange(range.Offset, range.Offset + length - 1) : new ByteRange($"bytes={range.Offset}-");
        try
        {
            var response = await _s3.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            // Never more than asked: s3rver 3.7.1 reads "bytes=0-0" as the whole object (its end 0 counts as "none").
            return range?.Length is { } count ? new LimitedReadStream(new ResponseStream(response), count) : new ResponseStream(response);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // A range that starts at or past the end: the contract gives an empty stream (the object exists).
            return Stream.Null;
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        await GetInfoAsync(key, cancellationToken).ConfigureAwait(false) is not null;

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        BlobKeys.Check(key);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _options.Bucket, Key = ObjectKey(key) }, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<StoredBlob> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = ObjectKey(prefix) };
        var ownPrefix = (_options.Prefix ?? "").Length;
        while (true)
        {
            var page = await _s3.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            // Objects appear only when a PUT or a multipart upload completes: a listing never shows a blob mid-write.
            foreach (var o in page.S3Objects ?? [])
                yield return new StoredBlob(o.Key[ownPrefix..], o.Size ?? 0, new DateTimeOffset(o.LastModified ?? DateTime.UtcNow, TimeSpan.Zero).ToUniversalTime());
            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken)) yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>
    /// A writer that died mid-put leaves at most an unfinished multipart upload (its parts are billed but invisible): those
    /// begun under this store's prefix before <paramref name="untouchedSince"/> are aborted. A store that does not list
    /// uploads has nothing this can reclaim.
    /// </summary>
    public async Task<int> ReclaimAbandonedWritesAsync(DateTimeOffset untouchedSince, CancellationToken cancellationToken = default)
    {
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        ListMultipartUploadsResponse uploads;
        try
        {
            uploads = await _s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = _options.Bucket, Prefix = _options.Prefix ?? "" }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotImplemented or HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            return 0;
        }
        var removed = 0;
        foreach (var upload in uploads.MultipartUploads ?? [])
        {
            if (upload.Initiated is { } initiated && new DateTimeOffset(initiated.ToUniversalTime(), TimeSpan.Zero) > untouchedSince) continue;
            await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _options.Bucket, Key = upload.Key, UploadId = upload.UploadId }, cancellationToken)
                .ConfigureAwait(false);
            removed++;
        }
        return removed;
    }

    public Uri? DirectReadUrl(string key, string contentType, TimeSpan lifetime)
    {
        if (_options.OutputUrls != S3OutputUrls.Presigned) return null;
        BlobKeys.Check(key);
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = ObjectKey(key),
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow.Add(lifetime < _options.PresignedLifetime ? lifetime : _options.PresignedLifetime),
            ResponseHeaderOverrides = { ContentType = contentType },
        };
        if (_options.ServiceUrl is { } url && url.StartsWith("http:", StringComparison.Ordinal)) request.Protocol = Protocol.HTTP;
        return new Uri(_s3.GetPreSignedURL(request));
    }

    /// <summary>Creates the bucket once when <see cref="S3BlobOptions.CreateBucket"/> asks for it; an existing bucket is fine.</summary>
    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (_bucketReady) return;
        await _bucketGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_bucketReady) return;
            try
            {
                await _s3.PutBucketAsync(new PutBucketRequest { BucketName = _options.Bucket }, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
            }
            _bucketReady = true;
        }
        finally
        {
            _bucketGate.Release();
        }
    }

    private string ObjectKey(string key) => (_options.Prefix ?? "") + key;

    private static async Task<int> FillAsync(Stream content, byte[] buffer, int size, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < size)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled, size - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }

    public void Dispose()
    {
        _s3.Dispose();
        _bucketGate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored blob {Key} in {Parts} parts")]
    private static partial void LogMultipart(ILogger logger, string key, int parts);

    /// <summary>The body of a GET; disposing it releases the response (and its connection).</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _body = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _body.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _body.ReadAsync(buffer, offset, count, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => _body.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) response.Dispose();
            base.Dispose(disposing);
        }
    }
}
