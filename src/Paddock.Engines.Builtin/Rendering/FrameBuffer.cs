using System.Runtime.InteropServices;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// One BGRA frame in a pinned array with a Skia surface drawing straight into it, reused for every
/// frame: drawing and piping to ffmpeg allocate nothing per frame.
/// </summary>
internal sealed class FrameBuffer : IDisposable
{
    private readonly SKSurface _surface;

    public FrameBuffer(int width, int height)
    {
        Width = width;
        Height = height;
        // Skia's native order on little-endian Linux is BGRA, which is what ffmpeg is told to expect.
        var info = new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul);
        Pixels = GC.AllocateArray<byte>(info.BytesSize, pinned: true);
        var address = Marshal.UnsafeAddrOfPinnedArrayElement(Pixels, 0);
        _surface = SKSurface.Create(info, address, info.RowBytes)
            ?? throw new InvalidOperationException($"Skia could not create a {width}x{height} raster surface.");
        Source = new RasterPixels(address, width, height, info.RowBytes);
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Pixels { get; }

    public SKCanvas Canvas => _surface.Canvas;

    /// <summary>The pixels, for drawing this buffer into another with <see cref="ImageBlit"/>.</summary>
    public RasterPixels Source { get; }

    public void Dispose() => _surface.Dispose();
}
