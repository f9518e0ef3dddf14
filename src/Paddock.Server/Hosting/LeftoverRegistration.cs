using Microsoft.Extensions.Options;
using Paddock.Core.Maintenance;

namespace Paddock.Server.Hosting;

/// <summary>This process's work folder under the data directory, and the sweeps that reclaim what dead processes left.</summary>
public static class LeftoverRegistration
{
    public static IServiceCollection AddLeftoverReclaiming(this IServiceCollection services)
    {
        services.AddOptions<MaintenanceOptions>().BindConfiguration("Paddock:Maintenance").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new WorkArea(sp.GetRequiredService<IOptions<PaddockOptions>>().Value.WorkDirectory));
        services.AddSingleton<WorkAreaSweeper>();
        services.AddHostedService<LeftoverReclaimer>();
        return services;
    }
}
