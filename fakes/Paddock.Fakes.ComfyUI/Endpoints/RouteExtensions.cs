using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Paddock.Fakes.ComfyUI.Endpoints;

internal static class RouteExtensions
{
    /// <summary>server.py add_routes serves every route twice: as is and under an "/api" prefix.</summary>
    public static void MapBoth(this IEndpointRouteBuilder app, string method, string pattern, Delegate handler)
    {
        app.MapMethods(pattern, [method], handler);
        app.MapMethods("/api" + pattern, [method], handler);
    }
}
