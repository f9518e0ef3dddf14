using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Paddock.Fakes.ComfyUI.Logging;
using Paddock.Fakes.ComfyUI.Queue;
using Paddock.Fakes.ComfyUI.Validation;

namespace Paddock.Fakes.ComfyUI.Endpoints;

/// <summary>POST /prompt and GET /prompt (server.py post_prompt / get_prompt).</summary>
internal static class PromptEndpoints
{
    // execution.SENSITIVE_EXTRA_DATA_KEYS: kept out of /queue and /history.
    private static readonly string[] SensitiveKeys = ["auth_token_comfy_org", "api_key_comfy_org"];

    public static void MapPromptEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapBoth("GET", "/prompt", (ServerState s) => ServerState.Json(s.QueueInfo()));
        app.MapBoth("POST", "/prompt", PostPromptAsync);
    }

    private static async Task<IResult> PostPromptAsync(HttpRequest request, ServerState s)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (JsonException)
        {
            // aiohttp's request.json() raises, nothing catches it: a plain 500.
            Record(s, null, null, null, false, 500, null);
            return ServerState.ServerError();
        }
        var json = body as JsonObject;

        JsonNode number;
        double priority;
        if (json is not null && json.ContainsKey("number"))
        {
            try
            {
                priority = ToFloat(json["number"]);
                number = JsonNode.Parse(PythonText.Float(priority))!;
            }
            catch (FormatException)
            {
                Record(s, null, null, json["prompt"], false, 500, null);
                return ServerState.ServerError();
            }
        }
        else
        {
            var n = s.TakeNumber();
            if (json is not null && json.ContainsKey("front") && PythonText.Truthy(json["front"])) n = -n;
            number = n;
            priority = n;
        }

        if (json is null || !json.ContainsKey("prompt"))
        {
            Record(s, null, null, null, false, 400, "no_prompt");
            return ServerState.Json(new JsonObject
            {
                ["error"] = PromptValidator.Error("no_prompt", "No prompt provided", "No prompt provided", []),
                ["node_errors"] = new JsonObject(),
            }, 400);
        }

        var clientId = json["client_id"] is JsonValue cv && cv.TryGetValue<string>(out var c) ? c : null;
        string promptId;
        if (s.Options.Flavor == ComfyUIFlavor.Current)
        {
            var given = json["prompt_id"];
            if (given is null) promptId = Guid.NewGuid().ToString("D");
            else if (given is JsonValue gv && gv.TryGetValue<string>(out var text) && Guid.TryParse(text, out var guid) && guid.ToString("D") == text) promptId = text;
            else
            {
                Record(s, PythonText.Str(given), clientId, json["prompt"], false, 400, "invalid_prompt_id");
                return ServerState.Json(new JsonObject
                {
                    ["error"] = PromptValidator.Error("invalid_prompt_id", "prompt_id must be a valid UUID",
                        "prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let the server generate one", []),
                    ["node_errors"] = new JsonObject(),
                }, 400);
            }
        }
        else
        {
            // 0.3.6x: str(json_data.get("prompt_id", uuid.uuid4())) — anything goes, a JSON null becomes "None".
            promptId = json.ContainsKey("prompt_id") ? PythonText.Str(json["prompt_id"]) : Guid.NewGuid().ToString("D");
        }

        var received = json["prompt"]?.DeepClone();
        if (json["prompt"] is not JsonObject prompt)
        {
            Record(s, promptId, clientId, received, false, 500, null);
            return ServerState.ServerError();
        }
        var targets = json["partial_execution_targets"] is JsonArray list ? list.Select(t => PythonText.Str(t)).ToList() : null;

        ValidationResult result;
        try
        {
            result = s.Validator.Validate(prompt, targets);
        }
        catch (ServerFault)
        {
            Record(s, promptId, clientId, received, false, 500, null);
            return ServerState.ServerError();
        }

        var extra = json.ContainsKey("extra_data") ? json["extra_data"]?.DeepClone() : new JsonObject();
        if (extra is not JsonObject extraData)
        {
            Record(s, promptId, clientId, received, false, 500, null);
            return ServerState.ServerError();
        }
        if (json.ContainsKey("client_id")) extraData["client_id"] = json["client_id"]?.DeepClone();

        if (!result.Valid)
        {
            Record(s, promptId, clientId, received, false, 400, result.Error?["type"]?.GetValue<string>());
            return ServerState.Json(new JsonObject { ["error"] = result.Error, ["node_errors"] = result.NodeErrors }, 400);
        }

        if (s.Options.Flavor == ComfyUIFlavor.Current)
        {
            foreach (var key in SensitiveKeys) extraData.Remove(key);
            extraData["create_time"] = s.Time.GetUtcNow().ToUnixTimeMilliseconds();
        }
        // The log entry is written before the prompt can start, so it always precedes the prompt's own entries.
        Record(s, promptId, clientId, received, true, 200, null);
        s.Queue.Put(new QueueItem(number, priority, s.Queue.NextArrival(), promptId, prompt, extraData, result.GoodOutputs));
        return ServerState.Json(new JsonObject { ["prompt_id"] = promptId, ["number"] = number.DeepClone(), ["node_errors"] = result.NodeErrors });
    }

    private static double ToFloat(JsonNode? node) => node is JsonValue v && v.GetValueKind() is JsonValueKind.Number or JsonValueKind.String
        ? double.Parse(v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
        : throw new FormatException("float() argument must be a string or a real number");

    private static void Record(ServerState s, string? promptId, string? clientId, JsonNode? graph, bool accepted, int status, string? errorType) =>
        s.Log.Add((seq, at) => new PromptSubmitted(seq, at, promptId, clientId, graph?.DeepClone(), accepted, status, errorType));
}
