namespace Paddock.Server.Hosting;

/// <summary>What one Paddock process does. Every role reads the same configuration and shares the database and blob store.</summary>
public enum PaddockRole
{
    /// <summary><c>paddock serve</c>: the HTTP API and workers in one process (the default).</summary>
    ApiAndWorkers,

    /// <summary><c>paddock serve --no-workers</c>: the HTTP API only; workers elsewhere render what it accepts.</summary>
    Api,

    /// <summary><c>paddock worker</c>: workers only, with a small health endpoint and no public API.</summary>
    Worker,
}
