using Microsoft.Playwright;

namespace Paddock.Workbench.Tests.Support;

/// <summary>One Paddock server and one headless Chromium (Debian's, never a downloaded one) for the collection.</summary>
public sealed class WorkbenchFixture : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    public PaddockHost Server { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(30_000);
        Directory.CreateDirectory(Screenshots.Directory);
        // A heartbeat four times a second, so even a short render reports progress the page can show;
        // frequent keep-alives, so the seed's SSE pipeline (which ends on curl's next write) exits promptly.
        Server = await PaddockHost.StartAsync(new Dictionary<string, string>
        {
            ["Paddock:Workers:HeartbeatInterval"] = "00:00:00.250",
            ["Paddock:EventKeepAliveInterval"] = "00:00:01",
        });
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>A fresh browser profile (empty localStorage) at a desktop size, unless told otherwise.</summary>
    public async Task<WorkbenchPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            DeviceScaleFactor = 1,
        });
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = Server.BaseUrl });
        var page = await context.NewPageAsync();
        return new WorkbenchPage(page, Server);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class WorkbenchCollection : ICollectionFixture<WorkbenchFixture>
{
    public const string Name = "workbench";
}

/// <summary>Screenshots of each step, kept under artifacts/screenshots/ at the repository root.</summary>
public static class Screenshots
{
    public static string Directory { get; } = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Paddock.slnx"))) return dir.FullName;
        }
        return AppContext.BaseDirectory;
    }
}
