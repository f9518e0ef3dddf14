using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Paddock.Fakes.ComfyUI.Endpoints;

/// <summary>/system_stats, /object_info, /features, /models, /embeddings, /extensions.</summary>
internal static class InfoEndpoints
{
    public static void MapInfoEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapBoth("GET", "/system_stats", SystemStats);
        app.MapBoth("GET", "/object_info", (ServerState s) => ServerState.Json(s.Catalog.Render()));
        // An unknown class answers 200 with {} (get_object_info_node).
        app.MapBoth("GET", "/object_info/{node_class}", (string node_class, ServerState s) => ServerState.Json(s.Catalog.Render(node_class)));
        app.MapBoth("GET", "/features", (ServerState s) => ServerState.Json(new JsonObject
        {
            ["supports_preview_metadata"] = true,
            ["max_upload_size"] = s.Options.MaxUploadBytes,
        }));
        app.MapBoth("GET", "/models", (ServerState s) => ServerState.Json(new JsonArray(s.Catalog.ModelFolders.Keys.Select(k => (JsonNode?)k).ToArray())));
        app.MapBoth("GET", "/models/{folder}", (string folder, ServerState s) =>
            s.Catalog.ModelFolders.TryGetValue(folder, out var files)
                ? ServerState.Json(new JsonArray(files.Order(StringComparer.Ordinal).Select(f => (JsonNode?)f).ToArray()))
                : ServerState.Empty(404));
        app.MapBoth("GET", "/embeddings", () => ServerState.Json(new JsonArray()));
        app.MapBoth("GET", "/extensions", () => ServerState.Json(new JsonArray()));
    }

    /// <summary>The shape of server.py system_stats; the device is a made-up 24 GB GPU.</summary>
    private static IResult SystemStats(ServerState s)
    {
        var version = s.Options.Version ?? (s.Options.Flavor == ComfyUIFlavor.Legacy ? "0.3.64" : "0.38.1");
        const long vram = 25_757_220_864;
        return ServerState.Json(new JsonObject
        {
            ["system"] = new JsonObject
            {
                ["os"] = "posix",
                ["ram_total"] = 67_108_864_000L,
                ["ram_free"] = 50_000_000_000L,
                ["comfyui_version"] = version,
                ["required_frontend_version"] = "1.28.7",
                ["installed_templates_version"] = "0.1.95",
                ["required_templates_version"] = "0.1.95",
                ["python_version"] = "3.12.3 (main, Nov  6 2025, 13:44:16) [GCC 13.3.0]",
                ["pytorch_version"] = "2.8.0+cu128",
                ["embedded_python"] = false,
                ["argv"] = new JsonArray("main.py", "--listen", "127.0.0.1", "--port", "8188", "--preview-method", s.Options.PreviewMethod),
            },
            ["devices"] = new JsonArray(new JsonObject
            {
                ["name"] = "cuda:0 Paddock Fake GPU : cudaMallocAsync",
                ["type"] = "cuda",
                ["index"] = 0,
                ["vram_total"] = vram,
                ["vram_free"] = vram - 1_000_000_000L,
                ["torch_vram_total"] = 0,
                ["torch_vram_free"] = 0,
            }),
        });
    }
}
