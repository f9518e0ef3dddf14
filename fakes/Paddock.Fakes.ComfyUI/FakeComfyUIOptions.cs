namespace Paddock.Fakes.ComfyUI;

/// <summary>Which ComfyUI generation the fake imitates where servers differ (see docs/providers/comfyui.md).</summary>
public enum ComfyUIFlavor
{
    /// <summary>ComfyUI 0.38.x: a client prompt_id must be a canonical lowercase UUID, an unknown class is
    /// <c>missing_node_type</c>, <c>POST /api/jobs/{id}/cancel</c> exists.</summary>
    Current,

    /// <summary>ComfyUI 0.3.6x (October 2025): any prompt_id string is taken as is, an unknown class is
    /// <c>invalid_prompt</c> "Cannot execute because node X does not exist.", no jobs routes.</summary>
    Legacy,
}

/// <summary>Makes one node fail while it executes, the way a real node raises (an execution_error follows).</summary>
public sealed class ExecutionFailure
{
    /// <summary>The class_type of the node that raises.</summary>
    public string NodeClass { get; set; } = "KSampler";

    /// <summary>For a sampler: the step after which it raises (0 = before the first step).</summary>
    public int AfterStep { get; set; }

    /// <summary>As execution.py's full_type_name prints the exception's type.</summary>
    public string ExceptionType { get; set; } = "torch.OutOfMemoryError";

    /// <summary>str(exception); the server appends "\n" and its tips to it in exception_message.</summary>
    public string Message { get; set; } = "Allocation on device ";
}

/// <summary>
/// The fake's knobs. Read live while it runs, so a test may change one between two requests; a change
/// made while a prompt executes takes effect at its next step.
/// </summary>
public sealed class FakeComfyUIOptions
{
    /// <summary>Address to listen on; 127.0.0.1 unless a user exposes the program.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port; 0 picks a free one (tests).</summary>
    public int Port { get; set; }

    /// <summary>Folder holding input/, output/ and temp/; a fresh temporary folder when null (deleted on dispose).</summary>
    public string? RootDirectory { get; set; }

    public ComfyUIFlavor Flavor { get; set; } = ComfyUIFlavor.Current;

    /// <summary>How long one non-cached prompt takes, spread over its nodes (most of it on the sampler steps).</summary>
    public TimeSpan TaskTime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Sampler steps to report; null = the graph's own <c>steps</c> input (as a real server does).</summary>
    public int? Steps { get; set; }

    /// <summary>The listener opens only after this long: until then connections are refused, like a server still loading.</summary>
    public TimeSpan StartupDelay { get; set; } = TimeSpan.Zero;

    /// <summary>While true, every HTTP request and WebSocket upgrade hangs without an answer (a wedged server).</summary>
    public bool Unresponsive { get; set; }

    /// <summary>Node classes to leave out of /object_info (and so refused in a graph): a missing custom node.</summary>
    public HashSet<string> MissingNodeClasses { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The model files each models folder holds, as folder_paths.get_filename_list lists them.</summary>
    public Dictionary<string, List<string>> ModelFiles { get; set; } = DefaultModelFiles();

    /// <summary>When set, the node of that class raises while executing.</summary>
    public ExecutionFailure? FailExecution { get; set; }

    /// <summary>After this many progress messages of a prompt, the server drops that client's WebSocket.</summary>
    public int? DropWebSocketAfterProgress { get; set; }

    /// <summary>The server's --preview-method: "none" (the default of a real server) sends no binary previews.</summary>
    public string PreviewMethod { get; set; } = "none";

    /// <summary>The server's --max-upload-size in bytes (a real server's default is 100 MB).</summary>
    public long MaxUploadBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>While true, /upload/image fails as when the input folder cannot be written (500).</summary>
    public bool RefuseUploads { get; set; }

    /// <summary>--cache-none: every prompt executes every node, identical graphs included.</summary>
    public bool DisableCache { get; set; }

    /// <summary>An object_info data file to use instead of the built-in one (same format as Data/object_info.json).</summary>
    public string? ObjectInfoPath { get; set; }

    /// <summary>What /system_stats reports as comfyui_version; null = the flavor's version.</summary>
    public string? Version { get; set; }

    /// <summary>The ffmpeg program that renders outputs.</summary>
    public string Ffmpeg { get; set; } = "ffmpeg";

    /// <summary>Log each request to the console (the runnable program turns this on).</summary>
    public bool ConsoleLogging { get; set; }

    public static Dictionary<string, List<string>> DefaultModelFiles() => new(StringComparer.Ordinal)
    {
        // The files the shipped Paddock templates need (src/Paddock.Engines.ComfyUI/Workflows/*.manifest.json).
        ["diffusion_models"] = ["Phantom-Wan-14B_fp16.safetensors", "wan2.1_vace_14B_fp16.safetensors"],
        ["text_encoders"] = ["umt5_xxl_fp8_e4m3fn_scaled.safetensors"],
        ["vae"] = ["wan_2.1_vae.safetensors"],
        ["checkpoints"] = [],
        ["loras"] = [],
        ["clip_vision"] = [],
    };

    /// <summary>Removes a model file from whichever folder lists it (a user who has not downloaded it).</summary>
    public void RemoveModelFile(string file)
    {
        foreach (var files in ModelFiles.Values) files.Remove(file);
    }

    internal void Validate()
    {
        if (TaskTime < TimeSpan.Zero) throw new ArgumentException("FakeComfyUI TaskTime must not be negative.", nameof(TaskTime));
        if (StartupDelay < TimeSpan.Zero) throw new ArgumentException("FakeComfyUI StartupDelay must not be negative.", nameof(StartupDelay));
        if (Steps is < 1) throw new ArgumentException("FakeComfyUI Steps must be at least 1 when set.", nameof(Steps));
        if (Port is < 0 or > 65535) throw new ArgumentException("FakeComfyUI Port must be between 0 and 65535.", nameof(Port));
        if (MaxUploadBytes < 1) throw new ArgumentException("FakeComfyUI MaxUploadBytes must be positive.", nameof(MaxUploadBytes));
        if (DropWebSocketAfterProgress is < 1) throw new ArgumentException("FakeComfyUI DropWebSocketAfterProgress must be at least 1 when set.", nameof(DropWebSocketAfterProgress));
    }
}
