using Paddock.Core.Engines;

namespace Paddock.Core.Video;

/// <summary>
/// Makes a backend's video exactly what the API promises: the job's size, 24 fps, its frame count, H.264 yuv420p with
/// BT.709 tags and fast start — keeping an audio track when the backend made one. Checks the file first (a file that
/// is not a readable video is an <see cref="EngineFailureException"/>), and leaves an already exact file alone.
/// </summary>
public interface IOutputConformer
{
    Task ConformAsync(string path, RenderJob job, string workDirectory, CancellationToken cancellationToken);
}
