using Paddock.Core.Auth;
using Paddock.Core.Configuration;

namespace Paddock.Server.Hosting;

/// <summary>Settings of the HTTP surface (keys directly under <c>Paddock</c>; the public base URL is Core's <see cref="Paddock.Core.Hosting.PublicUrlOptions"/>; environment <c>PADDOCK__...</c>; command line <c>--Paddock:...</c>).</summary>
public sealed class PaddockOptions : IValidatedSettings
{
    /// <summary>How long a signed output URL works.</summary>
    public TimeSpan OutputUrlLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often an idle event stream gets a <c>: keep-alive</c> comment line.</summary>
    public TimeSpan EventKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A stream opened without <c>Last-Event-ID</c> begins with the terminal events (completed, cancelled) of this last
    /// span, so a client that connects just after its generation ended still hears of it (0 turns it off; at most 10 minutes).
    /// </summary>
    public TimeSpan EventReplayWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>On first start with no API key, create one for this namespace and print it.</summary>
    public string BootstrapNamespace { get; set; } = "default";

    /// <summary>Keep the first key in <c>first-api-key.txt</c> in the data directory so the start command can show it again.</summary>
    public bool WriteFirstKeyFile { get; set; } = true;

    public void Validate(string section, ICollection<string> problems)
    {
        if (OutputUrlLifetime <= TimeSpan.Zero)
            problems.Add($"{section}:OutputUrlLifetime is {OutputUrlLifetime}; it must be a positive time span such as 1.00:00:00 (one day)");
        if (EventKeepAliveInterval <= TimeSpan.Zero)
            problems.Add($"{section}:EventKeepAliveInterval is {EventKeepAliveInterval}; it must be a positive time span such as 00:00:15");
        if (EventReplayWindow < TimeSpan.Zero || EventReplayWindow > TimeSpan.FromMinutes(10))
            problems.Add($"{section}:EventReplayWindow is {EventReplayWindow}; it must be between 00:00:00 (off) and 00:10:00");
        if (!ApiKeyFormat.IsValidNamespace(BootstrapNamespace))
            problems.Add($"{section}:BootstrapNamespace is '{BootstrapNamespace}'; a namespace is 1-64 letters, digits, '-', '_' or '.'");
    }
}
