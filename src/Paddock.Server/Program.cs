using Paddock.Server.Hosting;

await PaddockApp.Build(args).RunAsync();

/// <summary>The entry point, public so tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
