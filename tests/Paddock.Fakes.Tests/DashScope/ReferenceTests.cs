using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Paddock.Fakes.DashScope;
using Paddock.Fakes.Tests.Support;
using static Paddock.Fakes.Tests.DashScope.VideoSynthesisTests;

namespace Paddock.Fakes.Tests.DashScope;

/// <summary>How the fake obtains media: downloads with a time limit, data: URIs, and the temporary oss:// upload flow.</summary>
public sealed class ReferenceTests
{
    [Fact]
    public async Task A_reference_that_does_not_answer_in_time_is_a_400_data_inspection_timeout_at_create()
    {
        await using var images = await ImageServer.StartAsync();
        await using var fake = await FakeDashScope.StartAsync(Fast(o => o.ReferenceTimeout = TimeSpan.FromMilliseconds(500)));
        using var calls = new DashScopeCalls(fake);

        var answer = await calls.CreateAsync(R2v("[Image 1] waits.", [images.BaseUrl + "/slow/fox.png"]));

        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameter.DataInspection"), (answer.Status, answer.Code));
        Assert.Equal("Download the media resource timed out during the data inspection process.", answer.Message);
        Assert.Equal(0, fake.TasksCreated());
    }

    [Fact]
    public async Task A_reference_the_host_does_not_have_is_a_400_unable_to_download()
    {
        await using var images = await ImageServer.StartAsync();
        await using var fake = await FakeDashScope.StartAsync(Fast());
        using var calls = new DashScopeCalls(fake);
        var missing = images.BaseUrl + "/files/gone.png";

        var answer = await calls.CreateAsync(R2v("[Image 1] is gone.", [missing]));

        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameter.DataInspection"), (answer.Status, answer.Code));
        Assert.Equal("Unable to download the media resource during the data inspection process.", answer.Message);
        Assert.Contains(fake.MediaFetches, f => f.Url == missing && f.Outcome.Contains("HTTP 404", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_the_check_in_the_task_an_unreachable_reference_fails_the_task_instead()
    {
        await using var images = await ImageServer.StartAsync();
        await using var fake = await FakeDashScope.StartAsync(Fast(o => { o.ReferenceCheck = ReferenceCheck.InTask; o.ReferenceTimeout = TimeSpan.FromMilliseconds(500); }));
        using var calls = new DashScopeCalls(fake);

        var created = await calls.CreateAsync(R2v("[Image 1] waits.", [images.BaseUrl + "/slow/fox.png"]));
        var (_, done) = await calls.WaitAsync(created.TaskId);

        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.Equal("FAILED", done.TaskStatus);
        Assert.Equal("InvalidParameter.DataInspection", done.Output.GetProperty("code").GetString());
        Assert.Contains("timed out", done.Output.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(300, 300, "shortest side must be at least 400 pixels")]
    [InlineData(0, 0, "is not a JPEG, PNG or WEBP image")]
    public async Task A_reference_outside_the_documented_limits_fails_the_task_with_invalid_parameter(int width, int height, string messagePart)
    {
        await using var fake = await FakeDashScope.StartAsync(Fast());
        using var calls = new DashScopeCalls(fake);
        var bytes = width > 0 ? TestMedia.Image(width, height) : "not an image at all"u8.ToArray();

        var created = await calls.CreateAsync(R2v("[Image 1] is too small.", [TestMedia.DataUri(bytes, "image/png")]));
        var (_, done) = await calls.WaitAsync(created.TaskId);

        Assert.Equal("FAILED", done.TaskStatus);
        Assert.Equal("InvalidParameter", done.Output.GetProperty("code").GetString());
        Assert.Contains(messagePart, done.Output.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_policy_and_a_form_post_give_an_oss_url_that_a_task_can_use_with_the_resolve_header()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast());
        using var calls = new DashScopeCalls(fake);
        const string model = "happyhorse-1.1-r2v";

        var policy = await calls.SendAsync(HttpMethod.Get, $"/uploads?action=getPolicy&model={model}");
        Assert.Equal(HttpStatusCode.OK, policy.Status);
        var data = policy.Body.GetProperty("data");
        var uploadDir = data.GetProperty("upload_dir").GetString()!;
        var key = uploadDir + "/fox.png";
        using var upload = await PostObjectAsync(calls.Http, data, key, TestMedia.Image(640, 480));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        var ossUrl = "oss://" + key;

        var withoutHeader = await calls.CreateAsync(R2v("[Image 1] runs.", [ossUrl], model: model));
        var otherModel = await calls.CreateAsync(R2v("[Image 1] runs.", [ossUrl], model: "happyhorse-1.0-r2v"), resolveOss: true);
        var created = await calls.CreateAsync(R2v("[Image 1] runs.", [ossUrl], model: model), resolveOss: true);
        var (_, done) = await calls.WaitAsync(created.TaskId);

        Assert.Equal(HttpStatusCode.BadRequest, withoutHeader.Status);
        Assert.Contains("X-DashScope-OssResourceResolve", withoutHeader.Message, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameter.DataInspection"), (otherModel.Status, otherModel.Code));
        Assert.Equal("SUCCEEDED", done.TaskStatus);
        Assert.Equal("enable", fake.FindTask(created.TaskId)!.Headers["X-DashScope-OssResourceResolve"]);
        Assert.Equal(model, Assert.Single(fake.UploadedFiles).Model);
    }

    [Fact]
    public async Task The_storage_refuses_a_form_with_a_wrong_signature_in_osss_xml()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast());
        using var calls = new DashScopeCalls(fake);
        var data = (await calls.SendAsync(HttpMethod.Get, "/uploads?action=getPolicy&model=happyhorse-1.1-r2v")).Body.GetProperty("data");

        using var upload = await PostObjectAsync(calls.Http, data, data.GetProperty("upload_dir").GetString() + "/fox.png", TestMedia.Image(640, 480), signature: "forged");

        Assert.Equal(HttpStatusCode.Forbidden, upload.StatusCode);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", await upload.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(fake.UploadedFiles);
    }

    [Fact]
    public async Task A_region_without_temporary_uploads_refuses_the_policy_call()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => o.TemporaryUploads = false));
        using var calls = new DashScopeCalls(fake);

        var answer = await calls.SendAsync(HttpMethod.Get, "/uploads?action=getPolicy&model=happyhorse-1.1-r2v");

        Assert.Equal((HttpStatusCode.Forbidden, "AccessDenied"), (answer.Status, answer.Code));
        Assert.Contains("Beijing", answer.Message, StringComparison.Ordinal);
    }

    /// <summary>Step 2 of [upload] as the SDK's oss_utils does it: the policy's fields, then the file last [oss-post].</summary>
    private static async Task<HttpResponseMessage> PostObjectAsync(HttpClient http, JsonElement policy, string key, byte[] file, string? signature = null)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(policy.GetProperty("oss_access_key_id").GetString()!), "OSSAccessKeyId");
        form.Add(new StringContent(signature ?? policy.GetProperty("signature").GetString()!), "Signature");
        form.Add(new StringContent(policy.GetProperty("policy").GetString()!), "policy");
        form.Add(new StringContent(key), "key");
        form.Add(new StringContent(policy.GetProperty("x_oss_object_acl").GetString()!), "x-oss-object-acl");
        form.Add(new StringContent(policy.GetProperty("x_oss_forbid_overwrite").GetString()!), "x-oss-forbid-overwrite");
        form.Add(new StringContent("200"), "success_action_status");
        form.Add(new StringContent("image/png"), "x-oss-content-type");
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(content, "file", "fox.png");
        return await http.PostAsync(policy.GetProperty("upload_host").GetString(), form);
    }
}
