using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Paddock.Cli.CommandLine;
using Paddock.Cli.Remote;
using Paddock.Cli.Terminal;
using Paddock.Client;

namespace Paddock.Cli.Commands;

/// <summary><c>paddock models [ID] [--search TEXT]</c>: the catalog, or one model with the fields its requests take.</summary>
internal static class ModelsCommand
{
    private static readonly Argument<string?> Id = new("ID") { Description = "A model: show it with the fields its requests take", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string> Search = CliOption.Text("--search", "TEXT", "Only the models whose name or description has TEXT");

    public static PaddockCommand Create()
    {
        var command = new PaddockCommand("models", "The server's models, or one model with the fields its requests take")
        {
            WordsExtra = "models takes at most one model ID",
        };
        command.Add(Id);
        command.Add(Search);
        RemoteOptions.AddTo(command);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(Invocation invocation) =>
        invocation.Value(Id) is { } id ? await ShowAsync(invocation, id) : await ListAsync(invocation);

    private static async Task<int> ListAsync(Invocation invocation)
    {
        var output = invocation.Output;
        var search = invocation.Value(Search);
        var models = search is null ? await invocation.Client.ListModelsAsync() : await invocation.Client.SearchModelsAsync(search);
        if (output.Json)
        {
            output.Document(new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(models.Select(m => (JsonNode)Output.ObjectOf(m.Json)).ToArray()),
            });
            return ExitCodes.Ok;
        }
        if (models.Count == 0)
        {
            output.Note("No models.");
            return ExitCodes.Ok;
        }
        Table.Write(["MODEL", "NAME", "INPUT", "ENGINE"], models.Select(m => new[]
        {
            m.Id, m.DisplayName ?? "", string.Join("+", m.InputCapabilities), m.EngineName ?? "",
        }));
        return ExitCodes.Ok;
    }

    private static async Task<int> ShowAsync(Invocation invocation, string id)
    {
        var output = invocation.Output;
        PaddockModel model;
        try
        {
            model = await invocation.Client.GetModelAsync(id);
        }
        catch (PaddockException e) when (e.Status == 404)
        {
            // An unknown model is a refused request (exit 2), as for 'generate --model'.
            throw new RequestRefusedException($"the server has no model '{id}' (see 'paddock models')");
        }
        if (output.Json)
        {
            output.Document(model.Json);
            return ExitCodes.Ok;
        }
        var text = new StringBuilder();
        text.AppendLine($"{model.Id}  {model.DisplayName}");
        if (model.DeveloperName is not null) text.AppendLine($"developer: {model.DeveloperName}");
        text.AppendLine($"takes:     {string.Join(", ", model.InputCapabilities)} → {string.Join(", ", model.OutputCapabilities)}");
        if (model.EngineName is not null) text.AppendLine($"engine:    {model.EngineName}{(model.EngineVersion is { } v ? " " + v : "")}");
        if (model.Description is not null) text.AppendLine().AppendLine(model.Description);
        Console.Out.Write(text.ToString());

        if (model.GetRequestSchema() is { } schema && schema["properties"] is JsonObject properties)
        {
            var required = (schema["required"] as JsonArray)?.Select(r => r?.ToString()).ToHashSet() ?? [];
            Console.Out.WriteLine();
            Table.Write(["FIELD", "TYPE", "ALLOWED", "DEFAULT"], properties
                .OrderBy(p => (p.Value?["x-order"] as JsonValue)?.TryGetValue<int>(out var order) == true ? order : int.MaxValue)
                .Select(p => new[]
                {
                    p.Key + (required.Contains(p.Key) ? " (required)" : ""),
                    p.Value?["type"]?.ToString() ?? "",
                    Allowed(p.Value as JsonObject),
                    p.Value?["default"]?.ToJsonString() ?? "",
                }));
        }
        return ExitCodes.Ok;
    }

    private static string Allowed(JsonObject? field)
    {
        if (field is null) return "";
        if (field["enum"] is JsonArray values) return string.Join(" | ", values.Select(v => v?.ToString()));
        if (field["minimum"] is { } min && field["maximum"] is { } max) return $"{min} to {max}";
        if (field["maxItems"] is { } items) return $"up to {items}";
        if (field["maxLength"] is { } length) return $"up to {length} characters";
        return "";
    }
}
