using Paddock.Core.References;

namespace Paddock.Core.Tests;

/// <summary>Images are judged by their bytes: the header tells format and size before any decode.</summary>
public sealed class ImageInspectorTests
{
    private static byte[] PngHeader(uint width, uint height)
    {
        var bytes = new byte[33];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(bytes, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), width);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), height);
        return bytes;
    }

    private static byte[] JpegHeader(ushort width, ushort height) =>
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x03];

    [Fact]
    public void Reads_png_and_jpeg_dimensions_from_the_header()
    {
        Assert.Equal(new ImageHeader("image/png", 1920, 1080), ImageInspector.Inspect(PngHeader(1920, 1080), out _));
        Assert.Equal(new ImageHeader("image/jpeg", 640, 480), ImageInspector.Inspect(JpegHeader(640, 480), out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 }, "it is a GIF")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50 }, "it is a WebP")]
    [InlineData(new byte[] { (byte)'<', (byte)'h', (byte)'t', (byte)'m', (byte)'l' }, "HTML")]
    [InlineData(new byte[] { }, "empty")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0 }, "truncated or damaged PNG")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00 }, "truncated or damaged JPEG")]
    public void Refuses_what_is_not_a_whole_jpeg_or_png_and_says_what_it_is(byte[] bytes, string expected)
    {
        Assert.Null(ImageInspector.Inspect(bytes, out var problem));
        Assert.Contains(expected, problem);
    }

    [Theory]
    [InlineData(401, 300, "shorter side is 300 px; it must be more than 400 px")]
    [InlineData(400, 400, "shorter side is 400 px")]
    [InlineData(1500, 500, "aspect ratio is 3:1")]
    [InlineData(30000, 30000, "at most 40 megapixels")]
    public void Rules_name_the_broken_limit(int width, int height, string expected) =>
        Assert.Contains(expected, ReferenceRules.Check(new ImageHeader("image/png", width, height)));

    [Theory]
    [InlineData(401, 401)]
    [InlineData(1250, 500)]
    [InlineData(1920, 1080)]
    public void Rules_accept_images_within_the_limits(int width, int height) =>
        Assert.Null(ReferenceRules.Check(new ImageHeader("image/png", width, height)));
}
