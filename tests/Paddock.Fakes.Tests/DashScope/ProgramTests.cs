using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Paddock.Fakes.DashScope;
using Paddock.Fakes.Tests.Support;

namespace Paddock.Fakes.Tests.DashScope;

/// <summary>The fake as the program a user runs to try a configuration offline.</summary>
public sealed class ProgramTests
{
    private static string ProgramPath
    {
        get
        {
            var path = typeof(FakeDashScope).Assembly.Location;
            Assert.True(File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")), $"no runtimeconfig beside {path}: the fake cannot run as a program from here");
            return path;
        }
    }

    [Fact]
    public async Task The_program_listens_where_it_is_told_and_takes_its_knobs_from_the_command_line()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { ProgramPath, "--urls", "http://127.0.0.1:0", "--DashScope:ApiKey=sk-offline-try", "--DashScope:ThrottleFirstCreates=1" })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        try
        {
            var apiBase = await ReadApiBaseAsync(process).WaitAsync(TimeSpan.FromSeconds(60));

            using var http = new HttpClient();
            async Task<HttpStatusCode> CreateAsync()
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, apiBase + "/services/aigc/video-generation/video-synthesis")
                {
                    Content = new StringContent("""{"model":"happyhorse-1.0-t2v","input":{"prompt":"x"}}""", Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-offline-try");
                request.Headers.Add("X-DashScope-Async", "enable");
                using var response = await http.SendAsync(request);
                return response.StatusCode;
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, await CreateAsync());
            Assert.Equal(HttpStatusCode.OK, await CreateAsync());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>The program prints where it listens; the test reads its output until that line.</summary>
    private static async Task<string> ReadApiBaseAsync(Process process)
    {
        var seen = new List<string>();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            seen.Add(line);
            if (line.StartsWith("API base URL: ", StringComparison.Ordinal)) return line["API base URL: ".Length..];
        }
        throw new InvalidOperationException("the program ended before it listened: " + string.Join("\n", seen) + await process.StandardError.ReadToEndAsync());
    }

    [Fact]
    public void A_bad_knob_stops_the_program_with_a_message_that_names_it()
    {
        var result = TestMedia.Run("dotnet", ProgramPath, "--urls", "http://127.0.0.1:0", "--DashScope:PendingTime=00:00:05", "--DashScope:TaskTime=00:00:01");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("DashScope:TaskTime", result.Stderr, StringComparison.Ordinal);
    }
}
