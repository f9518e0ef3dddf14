using Paddock.Server.Hosting;

return await PaddockProcess.RunAsync(args, PaddockRole.ApiAndWorkers);

/// <summary>The entry point, public so tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
