using Microsoft.Extensions.Logging.Abstractions;
using Paddock.Core.Maintenance;

namespace Paddock.Core.Tests;

/// <summary>
/// Work folders shared by several processes on one data directory: a sweeper reclaims only a dead owner's folder, and
/// never a live one's, even one whose owner is starting at that very moment.
/// </summary>
public sealed class WorkAreaTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "paddock-work-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    [Fact]
    public void A_dead_owners_folder_is_reclaimed_and_a_live_ones_is_kept()
    {
        using var live = new WorkArea(_root);
        File.WriteAllBytes(live.PathFor("video.mp4.partial"), [1, 2, 3]);
        // A dead owner: its folder and lock file are there, and nobody holds the lock.
        var dead = Path.Combine(_root, "999999-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dead);
        File.WriteAllBytes(Path.Combine(dead, "half.mp4.partial"), [4]);
        File.WriteAllBytes(dead + WorkArea.LockSuffix, []);

        var reclaimed = new WorkAreaSweeper(new WorkArea(_root), NullLogger<WorkAreaSweeper>.Instance).Sweep();

        Assert.Equal(1, reclaimed);
        Assert.False(Directory.Exists(dead));
        Assert.False(File.Exists(dead + WorkArea.LockSuffix));
        Assert.True(File.Exists(live.PathFor("video.mp4.partial")));
    }

    /// <summary>
    /// A folder starting while another process sweeps: the sweeper must not take the new lock file for a dead owner's
    /// in the instant between its creation and its lock, or the starting owner loses its lock file, and then its folder
    /// and its encoder are reclaimed under it while it renders.
    /// </summary>
    [Fact]
    public async Task A_folder_being_created_while_another_process_sweeps_is_never_reclaimed()
    {
        using var sweeperArea = new WorkArea(_root);
        var sweeper = new WorkAreaSweeper(sweeperArea, NullLogger<WorkAreaSweeper>.Instance);
        using var stop = new CancellationTokenSource();
        var sweeping = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) sweeper.Sweep();
        });

        var lost = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        var created = 0;
        try
        {
            while (DateTime.UtcNow < deadline && lost.Count == 0)
            {
                WorkArea area;
                try { area = new WorkArea(_root); }
                catch (IOException e)
                {
                    lost.Add($"a start failed: {e.Message}");
                    break;
                }
                using var _ = area;
                created++;
                File.WriteAllBytes(area.PathFor("frame"), [1]);
                Thread.Yield(); // the sweeper's turn
                if (!File.Exists(Path.Combine(_root, area.Token + WorkArea.LockSuffix))) lost.Add($"{area.Token}: its lock file was deleted");
                else if (!File.Exists(area.PathFor("frame"))) lost.Add($"{area.Token}: its folder was reclaimed");
            }
        }
        finally
        {
            stop.Cancel();
            await sweeping;
        }
        Assert.True(lost.Count == 0, $"after {created} starts: " + string.Join("; ", lost));
    }
}
