using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Paddock.Fakes.DashScope.Protocol;

namespace Paddock.Fakes.DashScope.Uploads;

/// <summary>A policy the fake issued: what an upload must present, and which model its files are bound to.</summary>
public sealed record IssuedPolicy(string Policy, string Signature, string AccessKeyId, string UploadDir, string Model, DateTimeOffset Expires, long MaxBytes);

/// <summary>A file in the temporary storage, named by its <c>oss://</c> URL.</summary>
public sealed record StoredFile(string Key, byte[] Bytes, string Model, DateTimeOffset Expires);

/// <summary>
/// The provider's free temporary storage [upload]: a policy per model (step 1), a form POST to the upload host
/// (step 2, OSS PostObject [oss-post]), files bound to that model and deleted after 48 hours, never readable back.
/// </summary>
public sealed class TemporaryStorage(TimeProvider time)
{
    public static readonly TimeSpan FileLifetime = TimeSpan.FromHours(48); // [upload]
    public static readonly TimeSpan PolicyLifetime = TimeSpan.FromMinutes(5); // decided: the real expire_in_seconds is not documented
    public const int MaxFileSizeMb = 100; // decided: "each model enforces its own file size limit" [upload]

    private readonly ConcurrentDictionary<string, IssuedPolicy> _policies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StoredFile> _files = new(StringComparer.Ordinal);
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);

    public IReadOnlyCollection<StoredFile> Files => _files.Values.ToList();

    public IssuedPolicy Issue(string model)
    {
        var now = time.GetUtcNow();
        var expires = now + PolicyLifetime;
        // Shaped like the provider's: a dashscope-instant folder per account, day and upload [upload] (oss://dashscope-instant/… URLs).
        var uploadDir = $"dashscope-instant/{Convert.ToHexStringLower(_secret.AsSpan(0, 8))}/{now:yyyy-MM-dd}/{Guid.NewGuid():N}";
        var document = JsonSerializer.Serialize(new
        {
            expiration = expires.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            conditions = new object[]
            {
                new object[] { "content-length-range", 0, MaxFileSizeMb * 1024L * 1024 },
                new object[] { "starts-with", "$key", uploadDir },
            },
        });
        var policy = Convert.ToBase64String(Encoding.UTF8.GetBytes(document));
        var signature = Convert.ToBase64String(HMACSHA1.HashData(_secret, Encoding.UTF8.GetBytes(policy)));
        var issued = new IssuedPolicy(policy, signature, "LTAI5tFakeDashScope", uploadDir, model, expires, MaxFileSizeMb * 1024L * 1024);
        _policies[policy] = issued;
        return issued;
    }

    public UploadPolicy Describe(IssuedPolicy policy, string uploadHost) => new(
        policy.Policy, policy.Signature, policy.UploadDir, uploadHost, (int)PolicyLifetime.TotalSeconds, MaxFileSizeMb,
        CapacityLimitMb: 999_999_999, policy.AccessKeyId, XOssObjectAcl: "private", XOssForbidOverwrite: "true");

    /// <summary>Checks a form upload the way OSS checks a PostObject [oss-post]; null means accepted.</summary>
    public (string Code, string Message)? Accept(IReadOnlyDictionary<string, string> fields, byte[]? file)
    {
        if (file is null || !fields.TryGetValue("key", out var key) || !fields.TryGetValue("policy", out var policyText))
            return ("MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.");
        if (!_policies.TryGetValue(policyText, out var policy)
            || !fields.TryGetValue("OSSAccessKeyId", out var accessKeyId) || accessKeyId != policy.AccessKeyId)
            return ("InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.");
        if (!fields.TryGetValue("Signature", out var signature) || signature != policy.Signature)
            return ("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
        var now = time.GetUtcNow();
        if (now > policy.Expires) return ("AccessDenied", "Invalid according to Policy: Policy expired.");
        if (!key.StartsWith(policy.UploadDir + "/", StringComparison.Ordinal) || key.Length == policy.UploadDir.Length + 1)
            return ("AccessDenied", "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"" + policy.UploadDir + "\"]");
        if (file.LongLength > policy.MaxBytes) return ("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.");
        var stored = new StoredFile(key, file, policy.Model, now + FileLifetime);
        if (!_files.TryAdd(key, stored)) return ("FileAlreadyExists", "The object you specified already exists and can not be overwritten.");
        return null;
    }

    /// <summary>Finds the file behind an <c>oss://</c> URL for a call to <paramref name="model"/>: bound to its model and 48 hours.</summary>
    public StoredFile? Resolve(string ossUrl, string model)
    {
        var key = ossUrl["oss://".Length..];
        if (!_files.TryGetValue(key, out var file)) return null;
        if (file.Model != model || time.GetUtcNow() > file.Expires) return null;
        return file;
    }
}
