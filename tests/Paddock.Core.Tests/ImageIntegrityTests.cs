using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Paddock.Core.References;

namespace Paddock.Core.Tests;

/// <summary>A reference whose header passes is also checked whole, so damage is refused with a reason instead of failing the render.</summary>
public sealed class ImageIntegrityTests
{
    /// <summary>A PNG of flat grey RGB rows (filter 0), written by hand; chunks can be added or mangled by the caller.</summary>
    internal static byte[] Png(int width, int height, bool interlaced = false, Func<byte[], byte[]>? idat = null, IEnumerable<(string Type, byte[] Data)>? extra = null)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        (header[8], header[9], header[12]) = (8, 2, (byte)(interlaced ? 1 : 0));
        Chunk(png, "IHDR", header);
        foreach (var (type, data) in extra ?? []) Chunk(png, type, data);

        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            if (interlaced)
            {
                foreach (var (x0, y0, dx, dy) in new[] { (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2) })
                {
                    var columns = width > x0 ? (width - x0 + dx - 1) / dx : 0;
                    if (columns == 0) continue;
                    for (var y = y0; y < height; y += dy) zlib.Write(Row(columns));
                }
            }
            else
            {
                for (var y = 0; y < height; y++) zlib.Write(Row(width));
            }
        }
        var compressed = raw.ToArray();
        Chunk(png, "IDAT", idat is null ? compressed : idat(compressed));
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static byte[] Row(int columns)
    {
        var row = new byte[1 + columns * 3];
        row.AsSpan(1).Fill(128);
        return row;
    }

    internal static void Chunk(Stream png, string type, byte[] data)
    {
        var word = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(word, ImageIntegrity.Crc32.Compute(typeAndData));
        png.Write(word);
    }

    private static string? Problem(byte[] bytes)
    {
        var header = ImageInspector.Inspect(bytes, out var problem);
        Assert.True(header is not null, problem);
        return ImageIntegrity.Check(bytes, header);
    }

    [Fact]
    public void The_crc_is_the_one_png_uses() =>
        Assert.Equal(0xCBF43926u, ImageIntegrity.Crc32.Compute("123456789"u8)); // the standard check value

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_whole_png_passes_plain_or_interlaced(bool interlaced)
    {
        Assert.Null(Problem(Png(803, 601, interlaced)));
        Assert.Null(Problem(Png(1, 1, interlaced)));
    }

    [Fact]
    public void A_png_cut_short_is_truncated()
    {
        var whole = Png(800, 600);
        Assert.StartsWith("is a truncated PNG (the file ends inside its IDAT chunk)", Problem(whole[..(whole.Length / 2)]));
        Assert.StartsWith("is a truncated PNG (the file ends before its IEND chunk)", Problem(whole[..^12]));
    }

    [Fact]
    public void A_flipped_bit_fails_the_crc_of_a_critical_chunk_but_not_of_an_ancillary_one()
    {
        var damaged = Png(800, 600);
        damaged[^20] ^= 0x01; // inside the IDAT data
        Assert.Equal("is a damaged PNG (its IDAT chunk fails its CRC check)", Problem(damaged));

        var text = Png(800, 600, extra: [("tEXt", "Comment\0hello"u8.ToArray())]);
        var at = text.AsSpan().IndexOf("hello"u8);
        text[at] = (byte)'j'; // the tEXt CRC no longer matches; decoders ignore that, and so do we
        Assert.Null(Problem(text));
    }

    [Fact]
    public void Image_data_that_is_short_or_corrupt_is_refused()
    {
        // Valid zlib, one row short: every chunk is intact, the data is not.
        var shortData = Png(800, 600, idat: _ =>
        {
            using var raw = new MemoryStream();
            using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
                for (var y = 0; y < 599; y++) zlib.Write(Row(800));
            return raw.ToArray();
        });
        Assert.Equal("is a truncated or damaged PNG (its image data holds 1438199 of the 1440600 bytes that 800 × 600 needs)", Problem(shortData));

        var garbage = Png(800, 600, idat: compressed => [compressed[0], compressed[1], .. Enumerable.Repeat((byte)0xFF, 64)]);
        Assert.Equal("is a damaged PNG (its compressed image data is corrupt)", Problem(garbage));

        var badFilter = Png(800, 600, idat: _ =>
        {
            using var raw = new MemoryStream();
            using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
                for (var y = 0; y < 600; y++) { var row = Row(800); if (y == 7) row[0] = 9; zlib.Write(row); }
            return raw.ToArray();
        });
        Assert.Equal("is a damaged PNG (row 7 has an unknown filter type)", Problem(badFilter));
    }

    [Fact]
    public void Image_data_that_inflates_far_beyond_the_header_rows_is_refused()
    {
        // 800 × 600 in the header, 20 times as many rows in the data: a bomb that a decoder would inflate whole.
        var bomb = Png(800, 600, idat: _ =>
        {
            using var raw = new MemoryStream();
            using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
                for (var y = 0; y < 600 * 20; y++) zlib.Write(Row(800));
            return raw.ToArray();
        });
        Assert.Equal("is a damaged PNG (its image data inflates past the 1440600 bytes that 800 × 600 needs)", Problem(bomb));

        // Interlaced images are held to their exact size too.
        var interlaced = Png(803, 601, interlaced: true, idat: compressed =>
        {
            using var raw = new MemoryStream();
            using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
                for (var y = 0; y < 601 * 10; y++) zlib.Write(Row(803));
            return raw.ToArray();
        });
        Assert.StartsWith("is a damaged PNG (its image data inflates past the ", Problem(interlaced), StringComparison.Ordinal);
    }

    [Fact]
    public void A_png_whose_chunks_are_out_of_order_or_unknown_is_refused()
    {
        var split = Png(800, 600, extra: [("IDAT", [0x78, 0x01]), ("tEXt", "a\0b"u8.ToArray())]);
        Assert.Equal("is a damaged PNG (its IDAT chunks are not consecutive)", Problem(split));

        var unknown = Png(800, 600, extra: [("QUUX", [1, 2, 3])]);
        Assert.Equal("is a PNG with an unknown critical chunk QUUX", Problem(unknown));
    }

    private static byte[] Jpeg(bool withEnd, byte[]? app1 = null)
    {
        byte[] sof = [0xFF, 0xC0, 0, 17, 8, 0x02, 0x58, 0x03, 0x20, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]; // 800 × 600
        byte[] sos = [0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0];
        byte[] scan = [0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD0, 0x78];
        return [0xFF, 0xD8, .. app1 ?? [], .. sof, .. sos, .. scan, .. withEnd ? new byte[] { 0xFF, 0xD9 } : []];
    }

    [Fact]
    public void A_jpeg_must_reach_its_end_of_image_marker()
    {
        Assert.Null(Problem(Jpeg(withEnd: true)));
        Assert.Equal("is a truncated JPEG (the file ends before its end-of-image marker)", Problem(Jpeg(withEnd: false)));
        var cut = Jpeg(withEnd: true)[..12];
        Assert.Equal("is a truncated JPEG (the file ends inside a header segment)", ImageIntegrity.Check(cut, new ImageHeader("image/jpeg", 800, 600)));
    }

    private static byte[] Exif(int orientation, bool littleEndian)
    {
        byte[] tiff = littleEndian
            ? [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte)orientation, 0, 0, 0, 0, 0, 0, 0]
            : [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, 0, 0, 0, 0];
        return [0xFF, 0xE1, 0, (byte)(2 + 6 + tiff.Length), .. "Exif\0\0"u8, .. tiff];
    }

    [Theory]
    [InlineData(1, false, 800, 600)]
    [InlineData(3, true, 800, 600)]
    [InlineData(6, false, 600, 800)]
    [InlineData(8, true, 600, 800)]
    public void Exif_orientation_gives_the_size_as_shown(int orientation, bool littleEndian, int width, int height)
    {
        var header = ImageInspector.Inspect(Jpeg(true, Exif(orientation, littleEndian)), out _);
        Assert.Equal(new ImageHeader("image/jpeg", width, height, orientation), header);
    }
}
