using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Client.Internal;

/// <summary>What identifies the bytes of one version of a resource: its strong ETag, its Last-Modified date, its length.</summary>
internal sealed record DownloadValidator(string? ETag, DateTimeOffset? LastModified, long? Length)
{
    /// <summary>Whether a server can be asked to resume only if the resource is unchanged (<c>If-Range</c>).</summary>
    public bool CanResume => ETag is not null || LastModified is not null;

    public RangeConditionHeaderValue? IfRange =>
        ETag is not null ? new RangeConditionHeaderValue(new EntityTagHeaderValue(ETag))
        : LastModified is { } date ? new RangeConditionHeaderValue(date)
        : null;

    /// <summary>The validators of an answer. Weak ETags are left out: <c>If-Range</c> may only carry a strong one.</summary>
    public static DownloadValidator Of(HttpResponseMessage response, long? length) => new(
        response.Headers.ETag is { IsWeak: false } strong ? strong.Tag : null,
        response.Content.Headers.LastModified,
        length);

    /// <summary>Whether an answer to a resumed request is for the same version as the bytes already here.</summary>
    public bool Matches(HttpResponseMessage response, long? length)
    {
        if (ETag is not null && response.Headers.ETag is { } tag && tag.Tag != ETag) return false;
        if (Length is not null && length is not null && Length != length) return false;
        return true;
    }
}

/// <summary>
/// The <c>&lt;file&gt;.partial</c> of an interrupted download and its sidecar <c>&lt;file&gt;.partial.json</c>, which says
/// which resource the bytes came from (scheme, host and path: signed URLs get a new query each time they are signed) and
/// the validators to resume with. A partial file without a sidecar that names the same resource is never resumed: it may
/// hold the first bytes of another video.
/// </summary>
internal sealed class PartialDownload
{
    private readonly string _resource;

    private PartialDownload(string finalPath, string resource, DownloadValidator? validator)
    {
        FinalPath = finalPath;
        _resource = resource;
        Validator = validator;
    }

    public string FinalPath { get; }

    public string PartialPath => FinalPath + ".partial";

    public string SidecarPath => FinalPath + ".partial.json";

    /// <summary>What the bytes in <see cref="PartialPath"/> are a prefix of; null when there are none to keep.</summary>
    public DownloadValidator? Validator { get; private set; }

    /// <summary>How many bytes are already here.</summary>
    public long Length => Validator is not null && File.Exists(PartialPath) ? new FileInfo(PartialPath).Length : 0;

    /// <summary>The partial download of <paramref name="url"/> into <paramref name="finalPath"/>; what is left of any other is deleted.</summary>
    public static async Task<PartialDownload> OpenAsync(string finalPath, Uri url, CancellationToken cancellationToken)
    {
        var download = new PartialDownload(finalPath, Identity(url), validator: null);
        if (File.Exists(download.PartialPath))
        {
            download.Validator = await download.ReadSidecarAsync(cancellationToken).ConfigureAwait(false);
            if (download.Validator is null) download.Discard();
        }
        else if (File.Exists(download.SidecarPath))
        {
            File.Delete(download.SidecarPath);
        }
        return download;
    }

    /// <summary>A partial file to write <paramref name="finalPath"/> through, with whatever an earlier download left removed.</summary>
    public static PartialDownload StartFresh(string finalPath)
    {
        var download = new PartialDownload(finalPath, resource: "", validator: null);
        download.Discard();
        return download;
    }

    /// <summary>Starts over with the bytes of a full answer: the sidecar is written before the first byte, so an interruption leaves both.</summary>
    public async Task StartAsync(DownloadValidator validator, CancellationToken cancellationToken)
    {
        Validator = validator;
        if (!validator.CanResume)
        {
            // Without a validator the bytes can be resumed within this call only, where the URL is known to be the same.
            if (File.Exists(SidecarPath)) File.Delete(SidecarPath);
            return;
        }
        var json = new JsonObject
        {
            ["resource"] = _resource,
            ["etag"] = validator.ETag,
            ["last_modified"] = validator.LastModified?.ToString("O", CultureInfo.InvariantCulture),
            ["length"] = validator.Length,
        };
        await File.WriteAllTextAsync(SidecarPath, json.ToJsonString(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves the finished bytes into place and removes the sidecar.</summary>
    public void Complete()
    {
        File.Move(PartialPath, FinalPath, overwrite: true);
        if (File.Exists(SidecarPath)) File.Delete(SidecarPath);
    }

    /// <summary>Forgets the bytes here: the next request starts from the beginning.</summary>
    public void Discard()
    {
        Validator = null;
        if (File.Exists(PartialPath)) File.Delete(PartialPath);
        if (File.Exists(SidecarPath)) File.Delete(SidecarPath);
    }

    private static string Identity(Uri url) => url.GetLeftPart(UriPartial.Path);

    private async Task<DownloadValidator?> ReadSidecarAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(SidecarPath)) return null;
        JsonElement json;
        try
        {
            json = Json.Parse(await File.ReadAllTextAsync(SidecarPath, cancellationToken).ConfigureAwait(false));
        }
        catch (JsonException)
        {
            return null; // cut short by a crash while it was written
        }
        if (Json.String(json, "resource") != _resource) return null;
        var lastModified = Json.String(json, "last_modified") is { } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date) ? date : (DateTimeOffset?)null;
        var validator = new DownloadValidator(Json.String(json, "etag"), lastModified, Json.Int64(json, "length"));
        return validator.CanResume ? validator : null;
    }
}
