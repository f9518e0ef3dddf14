using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;

namespace Paddock.Fakes.ComfyUI;

/// <summary>
/// Runs the fake for a person trying a ComfyUI configuration offline:
/// <c>dotnet run --project fakes/Paddock.Fakes.ComfyUI -- --Port 8188 --TaskTime 00:00:05</c>.
/// Every knob of <see cref="FakeComfyUIOptions"/> is a command-line switch (--Name value) or an environment
/// variable FAKE_COMFYUI_Name.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables("FAKE_COMFYUI_")
            .AddCommandLine(args)
            .Build();
        var options = new FakeComfyUIOptions { Port = 8188, ConsoleLogging = true };
        try
        {
            configuration.Bind(options);
            options.Validate();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            await Console.Error.WriteLineAsync($"fake ComfyUI: {ex.Message}");
            return 2;
        }

        await using var fake = await FakeComfyUI.StartAsync(options);
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;  // leave Main to stop the server and return
            stop.Cancel();
        }
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        await fake.Ready;
        Console.WriteLine($"Fake ComfyUI ({options.Flavor}) is listening on {fake.BaseUri}");
        Console.WriteLine($"Input folder: {fake.InputDirectory}");
        Console.WriteLine($"Output folder: {fake.OutputDirectory}");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }
}
