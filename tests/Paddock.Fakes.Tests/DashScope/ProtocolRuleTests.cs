using System.Globalization;
using System.Net;
using Paddock.Fakes.DashScope;
using Paddock.Fakes.Tests.Support;
using static Paddock.Fakes.Tests.DashScope.VideoSynthesisTests;

namespace Paddock.Fakes.Tests.DashScope;

/// <summary>The provider's rules and the fake's knobs: auth, the async header, throttling, refusals, failures, cancel, UNKNOWN, the list.</summary>
public sealed class ProtocolRuleTests
{
    private static object T2v(string prompt = "A paper city at night.") => new
    {
        model = "happyhorse-1.0-t2v",
        input = new { prompt },
        parameters = new { resolution = "720P", ratio = "16:9", duration = 3, watermark = false },
    };

    [Fact]
    public async Task A_create_without_the_async_header_is_403_access_denied_and_creates_nothing()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast());
        using var calls = new DashScopeCalls(fake);

        var answer = await calls.CreateAsync(T2v(), async: false);

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("AccessDenied", answer.Code);
        Assert.Equal("current user api does not support synchronous calls", answer.Message);
        Assert.Equal(0, fake.TasksCreated());
    }

    [Theory]
    [InlineData("POST", "/services/aigc/video-generation/video-synthesis")]
    [InlineData("GET", "/tasks/0385dc79-5ff8-4d82-bcb6-000000000000")]
    [InlineData("POST", "/tasks/0385dc79-5ff8-4d82-bcb6-000000000000/cancel")]
    [InlineData("GET", "/tasks?page_no=1&page_size=10")]
    [InlineData("GET", "/uploads?action=getPolicy&model=happyhorse-1.1-r2v")]
    public async Task A_wrong_or_missing_key_is_401_invalid_api_key_on_every_route(string method, string path)
    {
        await using var fake = await FakeDashScope.StartAsync(Fast());
        using var calls = new DashScopeCalls(fake);

        var wrong = await calls.SendAsync(new HttpMethod(method), path, key: "sk-not-the-key");
        var missing = await calls.SendAsync(new HttpMethod(method), path, key: "");

        Assert.Equal((HttpStatusCode.Unauthorized, "InvalidApiKey", "Invalid API-key provided."), (wrong.Status, wrong.Code, wrong.Message));
        Assert.Equal((HttpStatusCode.Unauthorized, "InvalidApiKey", "No API-key provided."), (missing.Status, missing.Code, missing.Message));
        Assert.Equal(0, fake.TasksCreated());
    }

    [Fact]
    public async Task The_first_creates_can_be_throttled_with_429_rate_quota_and_a_retry_then_succeeds()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => o.ThrottleFirstCreates = 2));
        using var calls = new DashScopeCalls(fake);

        var answers = new List<Answer>();
        for (var i = 0; i < 3; i++) answers.Add(await calls.CreateAsync(T2v()));

        Assert.Equal(new[] { HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.OK }, answers.Select(a => a.Status));
        Assert.Equal("Throttling.RateQuota", answers[0].Code);
        Assert.Equal(1, fake.TasksCreated());
        Assert.Equal(new[] { 429, 429, 200 }, fake.Requests.Where("POST", "/api/v1/services/").Select(r => r.Status));
    }

    [Fact]
    public async Task Creates_over_the_rate_knob_are_throttled()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => o.ThrottleCreatesPerSecond = 2));
        using var calls = new DashScopeCalls(fake);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => calls.CreateAsync(T2v())));

        Assert.Contains(answers, a => a.Status == HttpStatusCode.TooManyRequests && a.Code == "Throttling.RateQuota");
        Assert.Equal(answers.Count(a => a.Status == HttpStatusCode.OK), fake.TasksCreated());
    }

    [Fact]
    public async Task A_refused_prompt_is_a_400_data_inspection_failed_at_create()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => o.RefuseWord = "forbidden"));
        using var calls = new DashScopeCalls(fake);

        var answer = await calls.CreateAsync(T2v("A FORBIDDEN scene."));

        Assert.Equal((HttpStatusCode.BadRequest, "DataInspectionFailed"), (answer.Status, answer.Code));
        Assert.Equal("Input data may contain inappropriate content.", answer.Message);
        Assert.Equal(0, fake.TasksCreated());
    }

    [Fact]
    public async Task A_refusal_in_the_task_ends_it_failed_with_data_inspection_failed_and_no_video()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => { o.RefuseWord = "forbidden"; o.RefusalStage = RefusalStage.Task; }));
        using var calls = new DashScopeCalls(fake);

        var created = await calls.CreateAsync(T2v("A forbidden scene."));
        var (seen, done) = await calls.WaitAsync(created.TaskId);

        Assert.Equal("FAILED", seen[^1]);
        Assert.Equal("DataInspectionFailed", done.Output.GetProperty("code").GetString());
        Assert.Equal("Output data may contain inappropriate content.", done.Output.GetProperty("message").GetString());
        Assert.False(done.Output.TryGetProperty("video_url", out _));
        Assert.False(done.Body.TryGetProperty("usage", out _));
    }

    [Fact]
    public async Task The_fail_knob_ends_tasks_failed_with_its_code_and_message()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => { o.FailTaskCode = "InternalError.Algo"; o.FailTaskMessage = "Algorithm process error."; }));
        using var calls = new DashScopeCalls(fake);

        var created = await calls.CreateAsync(T2v());
        var (_, done) = await calls.WaitAsync(created.TaskId);

        Assert.Equal("FAILED", done.TaskStatus);
        Assert.Equal("InternalError.Algo", done.Output.GetProperty("code").GetString());
        Assert.Equal("Algorithm process error.", done.Output.GetProperty("message").GetString());
        Assert.True(done.Output.TryGetProperty("end_time", out _));
    }

    [Fact]
    public async Task A_pending_task_can_be_canceled_once_and_a_second_cancel_is_400_unsupported_operation()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => { o.PendingTime = TimeSpan.FromSeconds(30); o.TaskTime = TimeSpan.FromSeconds(31); }));
        using var calls = new DashScopeCalls(fake);
        var created = await calls.CreateAsync(T2v());

        var cancel = await calls.CancelAsync(created.TaskId);
        var after = await calls.QueryAsync(created.TaskId);
        var again = await calls.CancelAsync(created.TaskId);

        Assert.Equal(HttpStatusCode.OK, cancel.Status);
        Assert.True(cancel.Body.TryGetProperty("request_id", out _));
        Assert.Equal("CANCELED", after.TaskStatus);
        Assert.Equal((HttpStatusCode.BadRequest, "UnsupportedOperation"), (again.Status, again.Code));
        Assert.Single(fake.Requests.Where("POST", $"/api/v1/tasks/{created.TaskId}/cancel"), r => r.Status == 200);
    }

    [Fact]
    public async Task A_running_task_cannot_be_canceled_and_goes_on()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => { o.PendingTime = TimeSpan.FromMilliseconds(100); o.TaskTime = TimeSpan.FromSeconds(30); }));
        using var calls = new DashScopeCalls(fake);
        var created = await calls.CreateAsync(T2v());
        while ((await calls.QueryAsync(created.TaskId)).TaskStatus == "PENDING") await Task.Delay(20);

        var cancel = await calls.CancelAsync(created.TaskId);

        Assert.Equal((HttpStatusCode.BadRequest, "UnsupportedOperation"), (cancel.Status, cancel.Code));
        Assert.Equal("RUNNING", (await calls.QueryAsync(created.TaskId)).TaskStatus);
    }

    [Fact]
    public async Task An_id_the_provider_does_not_know_answers_200_unknown_and_so_does_a_forgotten_task()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => o.PendingTime = o.TaskTime = TimeSpan.FromSeconds(30)));
        using var calls = new DashScopeCalls(fake);
        var first = await calls.CreateAsync(T2v());
        var second = await calls.CreateAsync(T2v());

        var never = await calls.QueryAsync("00000000-0000-0000-0000-000000000000");
        Assert.Equal((HttpStatusCode.OK, "UNKNOWN"), (never.Status, never.TaskStatus));

        fake.Forget(first.TaskId);
        Assert.Equal("UNKNOWN", (await calls.QueryAsync(first.TaskId)).TaskStatus);
        Assert.Equal("PENDING", (await calls.QueryAsync(second.TaskId)).TaskStatus);

        fake.Options.ForgetTasks = true;
        Assert.Equal("UNKNOWN", (await calls.QueryAsync(second.TaskId)).TaskStatus);
    }

    [Fact]
    public async Task While_unreachable_the_connection_drops_and_afterwards_the_task_is_still_there()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => o.PendingTime = o.TaskTime = TimeSpan.FromSeconds(30)));
        using var calls = new DashScopeCalls(fake);
        var created = await calls.CreateAsync(T2v());

        fake.Options.Unreachable = true;
        await Assert.ThrowsAsync<HttpRequestException>(() => calls.QueryAsync(created.TaskId));
        fake.Options.Unreachable = false;

        Assert.Equal("PENDING", (await calls.QueryAsync(created.TaskId)).TaskStatus);
    }

    [Fact]
    public async Task A_slow_provider_outlasts_a_client_that_will_not_wait_and_still_answers_one_that_does()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => o.ResponseDelay = TimeSpan.FromSeconds(3)));
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        using var calls = new DashScopeCalls(fake);

        var url = fake.ApiBaseUrl + "/tasks/00000000-0000-0000-0000-000000000000";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", fake.ApiKey);
        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.SendAsync(request));

        Assert.Equal("UNKNOWN", (await calls.QueryAsync("00000000-0000-0000-0000-000000000000")).TaskStatus);
    }

    [Fact]
    public async Task The_video_url_expires_after_its_time_to_live()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => o.VideoUrlTtl = TimeSpan.FromSeconds(1)));
        using var calls = new DashScopeCalls(fake);
        var created = await calls.CreateAsync(T2v());
        var (_, done) = await calls.WaitAsync(created.TaskId);
        var url = done.Output.GetProperty("video_url").GetString()!;

        using var first = await calls.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using var later = await calls.Http.GetAsync(url);

        Assert.Equal(HttpStatusCode.Forbidden, later.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code>", await later.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_task_list_finds_tasks_by_model_status_and_time_window()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => o.PendingTime = o.TaskTime = TimeSpan.FromSeconds(30)));
        using var calls = new DashScopeCalls(fake);
        var video = await calls.CreateAsync(T2v());
        var other = await calls.CreateAsync(new { model = "happyhorse-1.1-t2v", input = new { prompt = "Another." } });
        var beijing = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        var window = $"start_time={beijing.AddMinutes(-5):yyyyMMddHHmmss}&end_time={beijing.AddMinutes(5):yyyyMMddHHmmss}";

        var byModel = await calls.SendAsync(HttpMethod.Get, $"/tasks?{window}&model_name=happyhorse-1.0-t2v&status=PENDING&page_no=1&page_size=10");
        var inMillis = await calls.SendAsync(HttpMethod.Get, $"/tasks/?start_time={DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds()}&page_size=1");
        var outside = await calls.SendAsync(HttpMethod.Get, $"/tasks?start_time={beijing.AddHours(-3):yyyyMMddHHmmss}&end_time={beijing.AddHours(-2):yyyyMMddHHmmss}");

        var item = Assert.Single(byModel.Body.GetProperty("data").EnumerateArray());
        Assert.Equal(video.TaskId, item.GetProperty("task_id").GetString());
        Assert.Equal("happyhorse-1.0-t2v", item.GetProperty("model_name").GetString());
        Assert.Equal("PENDING", item.GetProperty("status").GetString());
        Assert.True(item.GetProperty("gmt_create").GetInt64() > 0);
        Assert.Equal(1, byModel.Body.GetProperty("total").GetInt32());
        Assert.Equal((2, 2, 1), (inMillis.Body.GetProperty("total").GetInt32(), inMillis.Body.GetProperty("total_page").GetInt32(), inMillis.Body.GetProperty("page_size").GetInt32()));
        Assert.Equal(other.TaskId, inMillis.Body.GetProperty("data")[0].GetProperty("task_id").GetString()); // newest first
        Assert.Equal(0, outside.Body.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Bad_knobs_fail_at_start_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            FakeDashScope.StartAsync(new FakeDashScopeOptions { PendingTime = TimeSpan.FromSeconds(2), TaskTime = TimeSpan.FromSeconds(1) }));

        Assert.Contains("DashScope:TaskTime", error.Message, StringComparison.Ordinal);
        Assert.Contains(TimeSpan.FromSeconds(2).ToString("c", CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }
}
