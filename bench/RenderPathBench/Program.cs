// The render path inside the server against the same render outside it (issue 15, item 3): in the same run,
//
//   1. `paddock render` of a 5 s 1080P request with two references (a process per run, as a user runs it);
//   2. the same request through `paddock serve`: POST /api/ai/queue → media_generation_completed on /api/events;
//   3. ffmpeg alone encoding the very frames the engine draws (composed beforehand, held in memory), through the same
//      pipe with the same arguments — the floor for any render;
//   4. four of those requests queued at once (one POST, num_generations 4) on servers with worker concurrency 1, 2 and
//      the build's default, against four encode-only runs back to back.
//
// Each build under test is a `paddock.dll` (--build LABEL=PATH, repeatable: e.g. the branch point and the branch);
// rounds alternate the builds so that load from elsewhere on a shared machine falls on each. Wall times and CPU
// seconds (the process and its ffmpeg children, from /proc and getrusage) are reported as medians.
//
//   dotnet run -c Release --project bench/RenderPathBench -- --build before=/tmp/before/paddock.dll --build after=src/Paddock.Cli/bin/Release/net10.0/paddock.dll

using System.Globalization;
using RenderPathBench;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var settings = BenchSettings.Parse(args);
var scratch = Directory.CreateTempSubdirectory("paddock-renderpath-").FullName;
try
{
    return await new Bench(settings, scratch).RunAsync();
}
finally
{
    Directory.Delete(scratch, recursive: true);
}
