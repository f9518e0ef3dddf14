// What Paddock adds around the happyhorse engine: enqueue → succeeded against the fake DashScope's own task time,
// for one job at a time and for many at once, with the backend's concurrency honoured. Fake and Paddock run in this
// process on loopback; the baseline (the fake's own task time, and a bare client that creates, polls every 20 ms and
// downloads) is measured in the same run.
//
//   dotnet run -c Release --project bench/HappyHorseBench -- --runs 10 --jobs 50 --task-time 2

using System.Globalization;
using System.Runtime.InteropServices;

namespace HappyHorseBench;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: HappyHorseBench [--runs N] [--jobs N] [--task-time SECONDS] [--pending-time SECONDS] [--wave-concurrency N]");
            return 2;
        }

        Console.WriteLine($"HappyHorseBench: {options.Describe()}");
        Console.WriteLine($"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
        Console.WriteLine();

        await using var world = await World.StartAsync(options);
        try
        {
            await world.WarmUpAsync();
            var direct = await world.DirectClientAsync(options.Runs);
            var single = await world.OneAtATimeAsync(options.Runs);
            var burst = await world.BurstAsync(options.Jobs, concurrency: options.Jobs, queriesPerSecond: null);
            var burstFast = await world.BurstAsync(options.Jobs, concurrency: options.Jobs, queriesPerSecond: 200);
            var waves = await world.BurstAsync(options.Jobs, concurrency: options.WaveConcurrency, queriesPerSecond: null);
            Report.Print(options, direct, single, [burst, burstFast, waves]);
            return single.All(j => j.Succeeded) && new[] { burst, burstFast, waves }.All(b => b.Jobs.All(j => j.Succeeded)) ? 0 : 1;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"benchmark aborted: {e.Message}");
            return 1;
        }
    }
}

public sealed record Options(int Runs, int Jobs, double TaskTime, double PendingTime, int WaveConcurrency)
{
    public string Describe() =>
        $"fake task time {TaskTime:0.###} s (pending {PendingTime:0.###} s), {Runs} single jobs, bursts of {Jobs} jobs (concurrency {Jobs}, and {WaveConcurrency})";

    public static Options Parse(string[] args)
    {
        int runs = 10, jobs = 50, waves = 10;
        double taskTime = 2, pendingTime = 0.5;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double Number(double min, double max)
            {
                var text = Next();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                    ? n : throw new ArgumentException($"'{text}' is not a number from {min} to {max}");
            }
            switch (args[i])
            {
                case "--runs": runs = (int)Number(1, 1000); break;
                case "--jobs": jobs = (int)Number(1, 500); break;
                case "--task-time": taskTime = Number(0.5, 600); break;
                case "--pending-time": pendingTime = Number(0, 600); break;
                case "--wave-concurrency": waves = (int)Number(1, 500); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        if (pendingTime > taskTime) throw new ArgumentException("--pending-time must not be longer than --task-time");
        return new Options(runs, jobs, taskTime, pendingTime, waves);
    }
}
