using Paddock.Core.Configuration;

namespace Paddock.Storage.S3;

/// <summary>
/// An S3-compatible bucket (section <c>Paddock:Blobs:S3</c>), used when <c>Paddock:Blobs:Provider</c> is <c>s3</c>.
/// The credentials are never settings: the settings name the environment variables that hold them.
/// </summary>
public sealed class S3BlobOptions : IValidatedSettings
{
    /// <summary>The bucket that holds references and outputs.</summary>
    public string? Bucket { get; set; }

    /// <summary>The store's endpoint (MinIO, Ceph, s3rver, …), e.g. <c>http://10.0.0.5:9000</c>; empty for AWS itself (then <see cref="Region"/> says where).</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The signing region; AWS needs the bucket's, most other stores take any.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>A folder inside the bucket for everything Paddock stores, e.g. <c>paddock/</c>; empty for the bucket's root.</summary>
    public string? Prefix { get; set; }

    /// <summary>Addresses the bucket as a path (<c>endpoint/bucket/key</c>) rather than a host name: most self-hosted stores need it.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>The environment variable that holds the access key id.</summary>
    public string AccessKeyIdVariable { get; set; } = "AWS_ACCESS_KEY_ID";

    /// <summary>The environment variable that holds the secret access key.</summary>
    public string SecretAccessKeyVariable { get; set; } = "AWS_SECRET_ACCESS_KEY";

    /// <summary>Creates the bucket at start when it does not exist (for a store of one's own; leave off where buckets are provisioned).</summary>
    public bool CreateBucket { get; set; }

    /// <summary>Blobs this size or larger are uploaded in parts of this size (S3's smallest part is 5 MiB).</summary>
    public long PartSizeBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// How an output URL is served: <c>Stream</c> (the default: Paddock's own signed URL, the API streams the object) or
    /// <c>Presigned</c> (Paddock's URL answers 302 to a URL presigned by the store, so the bytes bypass the API).
    /// </summary>
    public S3OutputUrls OutputUrls { get; set; } = S3OutputUrls.Stream;

    /// <summary>How long a presigned URL works.</summary>
    public TimeSpan PresignedLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public void Validate(string section, ICollection<string> problems)
    {
        if (ServiceUrl is { Length: > 0 } url && (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https")))
            problems.Add($"{section}:ServiceUrl is '{url}', not an http or https URL; write it as http://HOST:PORT (or leave it empty for AWS)");
        if (PartSizeBytes < MinimumPartSize)
            problems.Add($"{section}:PartSizeBytes is {PartSizeBytes}; S3 takes parts of at least {MinimumPartSize} bytes (5 MiB)");
        if (PresignedLifetime <= TimeSpan.Zero || PresignedLifetime > TimeSpan.FromDays(7))
            problems.Add($"{section}:PresignedLifetime is {PresignedLifetime}; give a duration between 00:00:01 and 7.00:00:00 (S3's longest)");
        if (Bucket is { Length: > 0 } bucket && (bucket.Length < 3 || bucket.Length > 63 || !bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')))
            problems.Add($"{section}:Bucket is '{bucket}'; a bucket name is 3 to 63 lowercase letters, digits, '-' and '.'");
        if (Prefix is { Length: > 0 } prefix && (prefix.StartsWith('/') || !prefix.EndsWith('/')))
            problems.Add($"{section}:Prefix is '{prefix}'; write it as a folder that does not start with '/' and ends with one, e.g. paddock/");
    }

    /// <summary>The checks that apply only when S3 is the chosen store: what must be given, and the credentials present.</summary>
    internal IEnumerable<string> ProblemsWhenChosen(string section, Func<string, string?> environment)
    {
        if (string.IsNullOrWhiteSpace(Bucket))
            yield return $"Paddock:Blobs:Provider is s3, but {section}:Bucket is not set; give it, e.g. PADDOCK__BLOBS__S3__BUCKET=paddock";
        foreach (var (setting, variable) in new[] { ("AccessKeyIdVariable", AccessKeyIdVariable), ("SecretAccessKeyVariable", SecretAccessKeyVariable) })
        {
            if (string.IsNullOrWhiteSpace(variable))
                yield return $"{section}:{setting} is empty; name the environment variable that holds the credential";
            else if (string.IsNullOrEmpty(environment(variable)))
                yield return $"Paddock:Blobs:Provider is s3, but the environment variable {variable} (named by {section}:{setting}) is not set; export it before starting";
        }
    }

    internal const long MinimumPartSize = 5 * 1024 * 1024;
}

public enum S3OutputUrls
{
    /// <summary>Paddock signs the URL and the API streams the object (today's behaviour).</summary>
    Stream,

    /// <summary>Paddock's URL redirects (302) to a URL presigned by the store.</summary>
    Presigned,
}
