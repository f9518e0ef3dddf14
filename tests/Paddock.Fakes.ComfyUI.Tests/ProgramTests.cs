using System.Diagnostics;
using System.Text.RegularExpressions;
using Paddock.Fakes.ComfyUI.Tests.Support;

namespace Paddock.Fakes.ComfyUI.Tests;

/// <summary>The fake as a user runs it: a program that prints where it listens.</summary>
public sealed class ProgramTests
{
    [Fact]
    public async Task The_program_listens_where_it_says_with_the_knobs_from_its_command_line()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Paddock.Fakes.ComfyUI.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--Port", "0", "--Flavor", "Legacy", "--MissingNodeClasses:0", "WanPhantomSubjectToVideo" }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var match = Regex.Match(line ?? "", @"listening on (http://\S+)");
            if (!match.Success) Assert.Fail($"the program said: {line} {await ReadErrorsAsync(process)}");
            using var http = new ComfyHttp(new Uri(match.Groups[1].Value));
            Assert.Equal("0.3.64", (await http.GetJsonAsync("/system_stats"))["system"]!["comfyui_version"]!.GetValue<string>());
            Assert.Null((await http.GetJsonAsync("/object_info"))["WanPhantomSubjectToVideo"]);

            // A user stops it as any service: SIGTERM (or Ctrl+C) ends it cleanly.
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(deadline.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<string> ReadErrorsAsync(Process process)
    {
        process.Kill();
        return await process.StandardError.ReadToEndAsync();
    }
}
