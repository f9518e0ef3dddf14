using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Paddock.Fakes.ComfyUI.Catalog;
using Paddock.Fakes.ComfyUI.Logging;
using Paddock.Fakes.ComfyUI.Queue;
using Paddock.Fakes.ComfyUI.Sockets;
using Paddock.Fakes.ComfyUI.Storage;

namespace Paddock.Fakes.ComfyUI.Execution;

/// <summary>A node raised while executing (execution.py turns it into execution_error).</summary>
internal sealed class NodeFailure(string nodeId, string exceptionType, string message) : Exception(message)
{
    public string NodeId { get; } = nodeId;
    public string ExceptionType { get; } = exceptionType;
}

/// <summary>comfy.model_management.InterruptProcessingException, raised at the node that saw the interrupt flag.</summary>
internal sealed class Interrupted(string nodeId) : Exception("Processing interrupted")
{
    public string NodeId { get; } = nodeId;
}

/// <summary>
/// The prompt worker of main.py with the executor of execution.py: takes one prompt at a time from the queue,
/// "runs" its nodes in dependency order (loaders instantly, the sampler step by step over the task time, the save
/// node writing a real video) and sends the WebSocket messages a real server sends, in the same order:
/// execution_start, execution_cached, then per node progress_state / executing / progress… / executed / progress_state,
/// then execution_success (or execution_error / execution_interrupted), status, and executing with node null.
/// </summary>
internal sealed class PromptWorker(
    PromptQueue queue, SocketHub hub, NodeCatalog catalog, FakeFolders folders, FakeComfyUIOptions options,
    FakeComfyUILog log, VideoRenderer renderer, TimeProvider time)
{
    private static readonly string[] PreviewMethods = ["auto", "latent2rgb", "taesd"];
    private readonly PromptQueue _queue = queue;
    private readonly SocketHub _hub = hub;
    private readonly NodeCatalog _catalog = catalog;
    private readonly FakeFolders _folders = folders;
    private readonly FakeComfyUIOptions _options = options;
    private readonly FakeComfyUILog _log = log;
    private readonly VideoRenderer _renderer = renderer;
    private readonly TimeProvider _time = time;
    private readonly object _gate = new();
    private readonly Dictionary<string, JsonObject?> _cache = new(StringComparer.Ordinal);
    private volatile bool _interruptFlag;
    private CancellationTokenSource _wake = new();

    /// <summary>server.client_id: the client of the prompt that runs now (null when it gave none).</summary>
    public string? ClientId { get; private set; }

    /// <summary>server.last_node_id: the node that runs now, re-sent to a client that reconnects.</summary>
    public string? LastNodeId { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            QueueItem item;
            try
            {
                item = await _queue.TakeAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await ExecuteAsync(item, ct).ConfigureAwait(false);
        }
    }

    /// <summary>nodes.interrupt_processing(): the running prompt stops at its next check. A flag left when nothing runs is cleared when the next prompt starts.</summary>
    public void Interrupt()
    {
        lock (_gate)
        {
            _interruptFlag = true;
            _wake.Cancel();
        }
    }

    /// <summary>PromptQueue.interrupt_if_running: interrupts only when that prompt is the one running.</summary>
    public bool InterruptIfRunning(string promptId)
    {
        lock (_gate)
        {
            if (_queue.Running?.PromptId != promptId) return false;
            Interrupt();
            return true;
        }
    }

    private async Task ExecuteAsync(QueueItem item, CancellationToken ct)
    {
        lock (_gate)
        {
            _interruptFlag = false;
            _wake.Dispose();
            _wake = new CancellationTokenSource();
        }
        var client = item.ClientId;
        ClientId = client;
        var promptId = item.PromptId;
        var messages = new JsonArray();
        void AddMessage(string type, JsonObject data, bool broadcast)
        {
            data["timestamp"] = _time.GetUtcNow().ToUnixTimeMilliseconds();
            messages.Add(new JsonArray(type, data.DeepClone()));
            if (client is not null || broadcast) _hub.Send(type, data, client);
        }

        AddMessage("execution_start", new JsonObject { ["prompt_id"] = promptId }, broadcast: false);
        var graph = new Graph(item.Prompt, _catalog, _folders);
        var cachedAtStart = _options.DisableCache ? [] : graph.NodeIds.Where(id => IsCached(graph, id)).ToList();
        AddMessage("execution_cached", new JsonObject { ["prompt_id"] = promptId, ["nodes"] = ToArray(cachedAtStart) }, broadcast: false);

        var run = new Run(this, item, graph, client);
        var outcome = PromptOutcome.Success;
        try
        {
            await run.ExecuteNodesAsync(cachedAtStart.ToHashSet(StringComparer.Ordinal), ct).ConfigureAwait(false);
            AddMessage("execution_success", new JsonObject { ["prompt_id"] = promptId }, broadcast: false);
        }
        catch (Interrupted ex)
        {
            outcome = PromptOutcome.Interrupted;
            AddMessage("execution_interrupted", new JsonObject
            {
                ["prompt_id"] = promptId, ["node_id"] = ex.NodeId, ["node_type"] = graph.ClassType(ex.NodeId), ["executed"] = ToArray(run.Executed),
            }, broadcast: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A node that raised; anything else that went wrong is reported the same way, so the queue never stalls.
            outcome = PromptOutcome.Error;
            var failure = ex as NodeFailure ?? new NodeFailure(run.CurrentNode ?? item.Outputs[0], ex.GetType().Name, ex.Message);
            var tips = failure.ExceptionType.Contains("OutOfMemory", StringComparison.Ordinal)
                ? "This error means you ran out of memory on your GPU.\n\nTIPS: If the workflow worked before you might have accidentally set the batch_size to a large number."
                : "";
            AddMessage("execution_error", new JsonObject
            {
                ["prompt_id"] = promptId,
                ["node_id"] = failure.NodeId,
                ["node_type"] = graph.ClassType(failure.NodeId),
                ["executed"] = ToArray(run.Executed),
                ["exception_message"] = $"{failure.Message}\n{tips}",
                ["exception_type"] = failure.ExceptionType,
                ["traceback"] = new JsonArray($"  File \"/ComfyUI/execution.py\", line 496, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, v3_data=v3_data)\n"),
                ["current_inputs"] = run.CurrentInputs(failure.NodeId),
                ["current_outputs"] = ToArray(cachedAtStart),
            }, broadcast: false);
        }
        finally
        {
            LastNodeId = null;
        }

        var outputs = new JsonObject();
        var meta = new JsonObject();
        foreach (var (node, ui) in run.UiOutputs)
        {
            outputs[node] = ui.DeepClone();
            meta[node] = new JsonObject { ["node_id"] = node, ["display_node"] = node, ["parent_node"] = null, ["real_node_id"] = node };
        }
        var success = outcome == PromptOutcome.Success;
        _queue.Finish(item, new JsonObject
        {
            ["prompt"] = item.ToWire(),
            ["outputs"] = outputs,
            ["status"] = new JsonObject { ["status_str"] = success ? "success" : "error", ["completed"] = success, ["messages"] = messages },
            ["meta"] = meta,
        });
        if (client is not null) _hub.Send("executing", new JsonObject { ["node"] = null, ["prompt_id"] = promptId }, client);
        _log.Add((seq, at) => new PromptFinished(seq, at, promptId, outcome, [.. run.Executed], cachedAtStart));
    }

    private bool IsCached(Graph graph, string id)
    {
        lock (_gate) return _cache.ContainsKey(graph.Signature(id));
    }

    private static JsonArray ToArray(IEnumerable<string> ids) => new(ids.Select(id => (JsonNode?)id).ToArray());

    /// <summary>One prompt's execution: its progress registry, what ran, what it showed.</summary>
    private sealed class Run(PromptWorker worker, QueueItem item, Graph graph, string? client)
    {
        private readonly OrderedDictionary<string, (string State, double Value, double Max)> _progress = new(StringComparer.Ordinal);
        private int _progressMessages;

        public List<string> Executed { get; } = [];
        public OrderedDictionary<string, JsonObject> UiOutputs { get; } = new(StringComparer.Ordinal);
        public string? CurrentNode { get; private set; }

        private string PromptId => item.PromptId;
        private FakeComfyUIOptions Options => worker._options;

        public async Task ExecuteNodesAsync(HashSet<string> cached, CancellationToken ct)
        {
            bool IsCachedNow(string id) => !Options.DisableCache && (cached.Contains(id) || worker.IsCached(graph, id));
            var order = graph.ExecutionOrder(item.Outputs, IsCachedNow);
            var toRun = order.Where(id => !IsCachedNow(id)).ToList();
            var samplers = toRun.Count(id => graph.Class(id).Role == "sampler");
            var total = Options.TaskTime;
            var others = toRun.Count - samplers;
            var samplerTime = samplers == 0 ? TimeSpan.Zero : total * (others == 0 ? 1.0 : 0.8) / samplers;
            var otherTime = others == 0 ? TimeSpan.Zero : (total - samplerTime * samplers) / others;

            foreach (var id in order)
            {
                CurrentNode = id;
                ThrowIfInterrupted(id);  // nodes.before_node_execution()
                var signature = graph.Signature(id);
                JsonObject? cachedUi = null;
                var hit = false;
                if (!Options.DisableCache)
                    lock (worker._gate) hit = worker._cache.TryGetValue(signature, out cachedUi);
                if (hit)
                {
                    // A cached node in the list is an output: its result is shown again, nothing runs.
                    if (cachedUi is not null) UiOutputs[id] = cachedUi;
                    if (client is not null)
                        worker._hub.Send("executed", new JsonObject { ["node"] = id, ["display_node"] = id, ["output"] = cachedUi?.DeepClone(), ["prompt_id"] = PromptId }, client);
                    Finish(id);
                    continue;
                }

                SetProgress(id, "running", 0.0, 1.0);
                worker.LastNodeId = id;
                if (client is not null)
                    worker._hub.Send("executing", new JsonObject { ["node"] = id, ["display_node"] = id, ["prompt_id"] = PromptId }, client);

                var ui = graph.Class(id).Role == "sampler"
                    ? await SampleAsync(id, samplerTime, ct).ConfigureAwait(false)
                    : await RunOtherAsync(id, otherTime, ct).ConfigureAwait(false);
                if (ui is not null)
                {
                    UiOutputs[id] = ui;
                    if (client is not null)
                        worker._hub.Send("executed", new JsonObject { ["node"] = id, ["display_node"] = id, ["output"] = ui.DeepClone(), ["prompt_id"] = PromptId }, client);
                }
                if (!Options.DisableCache)
                    lock (worker._gate) worker._cache[signature] = ui?.DeepClone().AsObject();
                Finish(id);
                Executed.Add(id);
            }
            CurrentNode = null;
        }

        private async Task<JsonObject?> SampleAsync(string id, TimeSpan budget, CancellationToken ct)
        {
            var cls = graph.Class(id);
            var steps = Math.Max(1, Options.Steps ?? (int)graph.Number(id, cls.FakeSetting("steps_input") ?? "steps", 20));
            var perStep = budget / steps;
            var failure = FailureFor(id);
            for (var step = 1; step <= steps; step++)
            {
                if (failure is not null && failure.AfterStep == step - 1) throw new NodeFailure(id, failure.ExceptionType, failure.Message);
                await WaitAsync(id, perStep, ct).ConfigureAwait(false);
                ThrowIfInterrupted(id);  // the progress hook calls throw_exception_if_processing_interrupted first
                SetProgress(id, "running", step, steps);
                worker._hub.Send("progress", new JsonObject { ["value"] = step, ["max"] = steps, ["prompt_id"] = PromptId, ["node"] = id }, client);
                await SendPreviewAsync(id, ct).ConfigureAwait(false);
                _progressMessages++;
                if (client is not null && Options.DropWebSocketAfterProgress == _progressMessages) worker._hub.DropAfterQueued(client);
            }
            if (failure is not null && failure.AfterStep >= steps) throw new NodeFailure(id, failure.ExceptionType, failure.Message);
            return null;
        }

        private async Task<JsonObject?> RunOtherAsync(string id, TimeSpan budget, CancellationToken ct)
        {
            var failure = FailureFor(id);
            if (failure is not null)
            {
                await WaitAsync(id, budget / 2, ct).ConfigureAwait(false);
                throw new NodeFailure(id, failure.ExceptionType, failure.Message);
            }
            var started = worker._time.GetTimestamp();
            var ui = graph.Class(id).Role == "save" ? await SaveAsync(id, ct).ConfigureAwait(false) : null;
            var left = budget - worker._time.GetElapsedTime(started);
            if (left > TimeSpan.Zero) await WaitAsync(id, left, ct).ConfigureAwait(false);
            return ui;
        }

        private ExecutionFailure? FailureFor(string id) =>
            Options.FailExecution is { } f && f.NodeClass == graph.ClassType(id) ? f : null;

        /// <summary>Waits, but wakes at once on an interrupt.</summary>
        private async Task WaitAsync(string id, TimeSpan delay, CancellationToken ct)
        {
            if (delay <= TimeSpan.Zero) return;
            CancellationToken wake;
            lock (worker._gate) wake = worker._wake.Token;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, wake);
            try
            {
                await Task.Delay(delay, worker._time, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                ThrowIfInterrupted(id);
            }
        }

        private void ThrowIfInterrupted(string id)
        {
            if (worker._interruptFlag) throw new Interrupted(id);
        }

        private void SetProgress(string id, string state, double value, double max)
        {
            _progress[id] = (state, value, max);
            SendProgressState();
        }

        private void Finish(string id)
        {
            var max = _progress.TryGetValue(id, out var entry) ? entry.Max : 1.0;
            SetProgress(id, "finished", max, max);
        }

        /// <summary>progress_state: every node of this prompt that is not pending, sent to the prompt's client (all sockets when it has none).</summary>
        private void SendProgressState()
        {
            var nodes = new JsonObject();
            foreach (var (node, (state, value, max)) in _progress)
            {
                nodes[node] = new JsonObject
                {
                    ["value"] = value, ["max"] = max, ["state"] = state, ["node_id"] = node, ["prompt_id"] = PromptId,
                    ["display_node_id"] = node, ["parent_node_id"] = null, ["real_node_id"] = node,
                };
            }
            worker._hub.Send("progress_state", new JsonObject { ["prompt_id"] = PromptId, ["nodes"] = nodes }, client);
        }

        private async Task SendPreviewAsync(string id, CancellationToken ct)
        {
            var method = item.ExtraData["preview_method"]?.ToString() ?? Options.PreviewMethod;
            if (!PreviewMethods.Contains(method)) return;
            var jpeg = await worker._renderer.PreviewJpegAsync(ct).ConfigureAwait(false);
            var metadata = Encoding.UTF8.GetBytes(new JsonObject
            {
                ["node_id"] = id, ["prompt_id"] = PromptId, ["display_node_id"] = id, ["parent_node_id"] = null, ["real_node_id"] = id, ["image_type"] = "image/jpeg",
            }.ToJsonString());
            worker._hub.SendBinary(connection =>
            {
                // protocol.py BinaryEventTypes: 1 PREVIEW_IMAGE (then 1 = JPEG), 4 PREVIEW_IMAGE_WITH_METADATA (then the metadata length).
                if (connection.SupportsPreviewMetadata)
                {
                    var withMetadata = new byte[8 + metadata.Length + jpeg.Length];
                    BinaryPrimitives.WriteUInt32BigEndian(withMetadata, 4);
                    BinaryPrimitives.WriteUInt32BigEndian(withMetadata.AsSpan(4), (uint)metadata.Length);
                    metadata.CopyTo(withMetadata, 8);
                    jpeg.CopyTo(withMetadata, 8 + metadata.Length);
                    return withMetadata;
                }
                var plain = new byte[8 + jpeg.Length];
                BinaryPrimitives.WriteUInt32BigEndian(plain, 1);
                BinaryPrimitives.WriteUInt32BigEndian(plain.AsSpan(4), 1);
                jpeg.CopyTo(plain, 8);
                return plain;
            }, client);
        }

        /// <summary>The save node: a real video file in output/, and the ui entry SaveVideo returns (ui.PreviewVideo → "images").</summary>
        private async Task<JsonObject> SaveAsync(string id, CancellationToken ct)
        {
            var cls = graph.Class(id);
            var container = cls.FakeSetting("fixed_container") ?? graph.Text(id, cls.FakeSetting("container_input") ?? "format", "auto");
            var codec = cls.FakeSetting("codec_input") is { } codecInput ? graph.Text(id, codecInput, "auto") : "auto";
            if (container == "auto") container = codec == "av1" ? "webm" : "mp4";
            if (container == "webm" && codec is "auto" or "h264") codec = "av1";
            if (container is "mp4" or "mkv") codec = "h264";

            var fps = cls.FakeSetting("fps_input") is { } fpsInput
                ? graph.Number(id, fpsInput, 24)
                : graph.Upstream(id, "frame_rate") is { } rateNode ? graph.Number(rateNode, graph.Class(rateNode).FakeSetting("fps_input") ?? "fps", 16) : 16;
            int width = 832, height = 480, frames = 81;
            if (graph.Upstream(id, "video_shape") is { } shape)
            {
                var shapeClass = graph.Class(shape);
                // Wan latents are 8x smaller in space and pack 4 frames after the first (nodes_wan.py: height // 8, ((length - 1) // 4) + 1).
                width = (int)graph.Number(shape, shapeClass.FakeSetting("width_input") ?? "width", 832) / 8 * 8;
                height = (int)graph.Number(shape, shapeClass.FakeSetting("height_input") ?? "height", 480) / 8 * 8;
                var length = (int)graph.Number(shape, shapeClass.FakeSetting("length_input") ?? "length", 81);
                var batch = Math.Max(1, (int)graph.Number(shape, shapeClass.FakeSetting("batch_input") ?? "batch_size", 1));
                frames = ((length - 1) / 4 * 4 + 1) * batch;
            }
            long seed = 0;
            if (graph.Upstream(id, "sampler") is { } sampler)
                seed = (long)(graph.Number(sampler, graph.Class(sampler).FakeSetting("seed_input") ?? "seed", 0) % 360);

            var prefix = graph.Text(id, "filename_prefix", "ComfyUI").Replace('\\', '/');
            var slash = prefix.LastIndexOf('/');
            var subfolder = slash < 0 ? "" : prefix[..slash];
            var filename = prefix[(slash + 1)..];
            var folder = FakeFolders.Inside(worker._folders.Output, subfolder);
            if (folder is null || filename.Length == 0)
                throw new NodeFailure(id, "Exception", $"**** ERROR: Saving image outside the output folder is not allowed.\n full_output_folder: {Path.Combine(worker._folders.Output, subfolder)}\n         output_dir: {worker._folders.Output}");
            Directory.CreateDirectory(folder);
            var extension = container switch { "webm" => "webm", "mkv" => "mkv", "webp" => "webp", _ => "mp4" };
            var file = $"{filename}_{NextCounter(folder, filename):00000}_.{extension}";
            await worker._renderer.RenderAsync(new RenderRequest(Path.Combine(folder, file), container, codec, width, height, frames, fps, seed), ct).ConfigureAwait(false);
            return new JsonObject
            {
                ["images"] = new JsonArray(new JsonObject { ["filename"] = file, ["subfolder"] = subfolder, ["type"] = "output" }),
                ["animated"] = new JsonArray(true),
            };
        }

        /// <summary>folder_paths.get_save_image_path: one more than the highest "{filename}_{NNNNN}_" already there.</summary>
        private static int NextCounter(string folder, string filename)
        {
            var pattern = new Regex("^" + Regex.Escape(filename) + @"_(\d+)_", RegexOptions.CultureInvariant);
            var highest = Directory.EnumerateFiles(folder)
                .Select(f => pattern.Match(Path.GetFileName(f)))
                .Where(m => m.Success)
                .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
                .DefaultIfEmpty(0)
                .Max();
            return highest + 1;
        }

        /// <summary>execution_error's current_inputs: each input's value as format_value prints it (objects by their type).</summary>
        public JsonObject CurrentInputs(string id)
        {
            var result = new JsonObject();
            foreach (var (name, value) in graph.Inputs(id))
            {
                JsonNode? shown = Graph.IsLink(value, out var source, out var slot) && graph.Prompt.ContainsKey(source)
                    ? $"<{(slot < graph.Class(source).OutputTypes.Count ? graph.Class(source).OutputTypes[slot] : "object")} object>"
                    : value?.DeepClone();
                result[name] = new JsonArray(shown);
            }
            return result;
        }
    }
}
