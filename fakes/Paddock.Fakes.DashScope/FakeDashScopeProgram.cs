using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Paddock.Fakes.DashScope;

/// <summary>
/// The fake as a program, for trying a configuration offline:
/// <c>dotnet run --project fakes/Paddock.Fakes.DashScope -- --urls http://127.0.0.1:8090 --DashScope:TaskTime=00:00:05</c>.
/// Every knob of <see cref="FakeDashScopeOptions"/> is a setting under <c>DashScope:</c> (command line, or environment as <c>DashScope__…</c>).
/// </summary>
public static class FakeDashScopeProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine("""
                A fake Alibaba Model Studio (DashScope) video-synthesis API for HappyHorse models (docs/providers/dashscope.md).

                  dotnet run --project fakes/Paddock.Fakes.DashScope -- --urls http://127.0.0.1:8090 [--DashScope:<Knob>=<value> ...]

                Knobs (defaults in brackets):
                  ApiKey [sk-fake-dashscope]   PendingTime [00:00:01]   TaskTime [00:00:03]
                  ThrottleFirstCreates [0]     ThrottleCreatesPerSecond [0 = none]
                  RefuseWord []   RefusalStage [Create|Task]   FailTaskCode []   FailTaskMessage [...]
                  ResponseDelay [00:00:00]     Unreachable [false]   ForgetTasks [false]   TaskRetention [1.00:00:00]
                  TemporaryUploads [true]      Region [cn-beijing]   ReferenceTimeout [00:00:10]
                  ReferenceCheck [AtCreate|InTask]   VideoUrlTtl [1.00:00:00]   FfmpegPath [ffmpeg]   VideoDirectory [temp]
                """);
            return 0;
        }

        var builder = WebApplication.CreateBuilder(args);
        var options = new FakeDashScopeOptions();
        builder.Configuration.GetSection(FakeDashScopeOptions.Section).Bind(options);
        try
        {
            options.Validate();
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
        var state = FakeDashScope.AddFakeDashScope(builder.Services, options, TimeProvider.System);
        await using var app = builder.Build();
        app.MapFakeDashScope();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "?";
            Console.WriteLine($"Fake DashScope is listening on {address.TrimEnd('/')}");
            Console.WriteLine($"API base URL: {address.TrimEnd('/')}/api/v1");
            Console.WriteLine($"API key: {options.ApiKey}");
        });
        try
        {
            await app.RunAsync();
        }
        finally
        {
            await state.Runner.StopAsync();
            state.Dispose();
        }
        return 0;
    }
}
