// A client generated from docs/openapi.json by NSwag (see GeneratedClient.csproj), used as any integrator would:
// list the models, queue a generation, poll it until it ends. Run against a server:
//   dotnet run --project samples/GeneratedClient -- http://127.0.0.1:8080 "$OXEN_API_KEY"
using System.Net.Http.Headers;
using Paddock.Samples.GeneratedClient;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: GeneratedClient SERVER_URL API_KEY");
    return 2;
}

using var http = new HttpClient { BaseAddress = new Uri(args[0].TrimEnd('/') + "/") };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", args[1]);
var client = new PaddockApiClient(http);

var models = await client.ListModelsAsync(developer_name: null);
foreach (var model in models.Data) Console.WriteLine($"{model.Id}: {model.Display_name}");

// A video request is model plus that model's fields (the document's VideoRequest_<model> schemas say which).
var request = new VideoRequest { Model = "happyhorse-1.0-t2v" };
request.AdditionalProperties["prompt"] = "A paper boat drifts across a pond";
request.AdditionalProperties["duration"] = 3;
request.AdditionalProperties["resolution"] = "720P";
var accepted = await client.EnqueueAsync(idempotency_Key: Guid.NewGuid().ToString(), request);
var id = accepted.Generations.First().Generation_id;
Console.WriteLine($"queued {id}");

while (true)
{
    var row = await client.GetGenerationAsync(id.ToString());
    Console.WriteLine($"{row.Status} {row.Progress.Percent}%");
    if (row.Status is GenerationStatus.Succeeded or GenerationStatus.Failed or GenerationStatus.Cancelled)
    {
        Console.WriteLine(row.Result_url ?? row.Error_message);
        return row.Status == GenerationStatus.Succeeded ? 0 : 1;
    }
    await Task.Delay(TimeSpan.FromSeconds(1));
}
