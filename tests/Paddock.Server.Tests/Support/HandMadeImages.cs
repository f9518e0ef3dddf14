using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Paddock.Server.Tests.Support;

/// <summary>
/// Images written byte by byte, for what SkiaSharp will not encode: every PNG colour type and
/// depth, interlaced PNGs, a decompression bomb, a CMYK JPEG, an EXIF orientation, and the
/// headers of formats Paddock refuses.
/// </summary>
public static class HandMadeImages
{
    /// <summary>
    /// A PNG of any colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA) and bit depth.
    /// <paramref name="sample"/> gives channel c of pixel (x, y); without it every row is zero,
    /// which is how a 30000 × 30000 image compresses to kilobytes.
    /// </summary>
    /// <param name="dataRows">How many rows the image data holds when not the header's height (a lie, for hostile images).</param>
    public static byte[] Png(int width, int height, int colorType, int bitDepth, Func<int, int, int, int>? sample = null, bool interlaced = false, byte[]? palette = null, int? dataRows = null)
    {
        var channels = colorType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        (header[8], header[9], header[12]) = ((byte)bitDepth, (byte)colorType, (byte)(interlaced ? 1 : 0));
        Chunk(png, "IHDR", header);
        if (palette is not null) Chunk(png, "PLTE", palette);

        using var raw = new MemoryStream();
        // Smallest size lets 112 MB of zero rows shrink a thousandfold, as a bomb does.
        using (var zlib = new ZLibStream(raw, sample is null ? CompressionLevel.SmallestSize : CompressionLevel.Fastest, leaveOpen: true))
        {
            var passes = interlaced
                ? new[] { (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2) }
                : new[] { (0, 0, 1, 1) };
            foreach (var (x0, y0, dx, dy) in passes)
            {
                var columns = width > x0 ? (width - x0 + dx - 1) / dx : 0;
                if (columns == 0) continue;
                var row = new byte[1 + ((long)columns * channels * bitDepth + 7) / 8];
                for (var y = y0; y < (dataRows ?? height); y += dy)
                {
                    if (sample is not null)
                    {
                        Array.Clear(row);
                        long bit = 8;
                        for (var i = 0; i < columns; i++)
                        {
                            for (var c = 0; c < channels; c++)
                            {
                                var value = sample(x0 + i * dx, y, c) & ((1 << bitDepth) - 1);
                                if (bitDepth == 16) BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan((int)(bit / 8)), (ushort)value);
                                else row[bit / 8] |= (byte)(value << (int)(8 - bitDepth - bit % 8));
                                bit += bitDepth;
                            }
                        }
                    }
                    zlib.Write(row);
                }
            }
        }

        var data = raw.ToArray();
        for (var at = 0; at < data.Length; at += 65536) Chunk(png, "IDAT", data.AsSpan(at, Math.Min(65536, data.Length - at)));
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typeAndData = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, typeAndData);
        data.CopyTo(typeAndData.AsSpan(4));
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeAndData));
        png.Write(word);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>
    /// A baseline JPEG with four components (Adobe CMYK, as print workflows write it). Each 8 × 8
    /// block is one flat colour, so only DC coefficients are coded: enough for a real decoder,
    /// and small enough to write by hand.
    /// </summary>
    public static byte[] CmykJpeg(int width, int height)
    {
        using var jpeg = new MemoryStream();
        void Segment(byte marker, ReadOnlySpan<byte> data)
        {
            jpeg.Write([0xFF, marker, (byte)((data.Length + 2) >> 8), (byte)(data.Length + 2)]);
            jpeg.Write(data);
        }

        jpeg.Write([0xFF, 0xD8]);
        Segment(0xEE, [.. "Adobe"u8, 0x00, 0x64, 0, 0, 0, 0, 0]); // transform 0: CMYK stored as is
        Segment(0xDB, [0x00, .. Enumerable.Repeat((byte)1, 64)]); // every quantiser 1
        Segment(0xC0, [8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0]);
        byte[] dcBits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]; // the standard luminance DC table
        Segment(0xC4, [0x00, .. dcBits, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        Segment(0xC4, [0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00]); // one AC code: end of block, "0"
        Segment(0xDA, [4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0]);

        // Canonical Huffman codes of the DC table: category -> (code, length).
        var dcCodes = new (int Code, int Length)[12];
        int code = 0, symbol = 0;
        for (var length = 1; length <= 16; length++)
        {
            for (var n = 0; n < dcBits[length - 1]; n++) dcCodes[symbol++] = (code++, length);
            code <<= 1;
        }

        var bits = new BitWriter(jpeg);
        var previous = new int[4];
        for (var by = 0; by < (height + 7) / 8; by++)
        {
            for (var bx = 0; bx < (width + 7) / 8; bx++)
            {
                // C, M, Y, K of this block, stored inverted as Adobe writes them (255: no ink): a cyan-to-magenta gradient.
                int[] levels = [255 - bx * 200 / ((width + 7) / 8), 255 - by * 200 / ((height + 7) / 8), 255 - 40, 255];
                for (var c = 0; c < 4; c++)
                {
                    var dc = 8 * (levels[c] - 128); // the DCT of a flat block, quantiser 1
                    var diff = dc - previous[c];
                    previous[c] = dc;
                    var category = diff == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(diff));
                    bits.Write(dcCodes[category].Code, dcCodes[category].Length);
                    if (category > 0) bits.Write(diff > 0 ? diff : diff + (1 << category) - 1, category);
                    bits.Write(0, 1); // end of block: no AC coefficients
                }
            }
        }
        bits.Flush();
        jpeg.Write([0xFF, 0xD9]);
        return jpeg.ToArray();
    }

    private sealed class BitWriter(Stream output)
    {
        private int _buffer;
        private int _count;

        public void Write(int value, int length)
        {
            for (var i = length - 1; i >= 0; i--)
            {
                _buffer = (_buffer << 1) | ((value >> i) & 1);
                if (++_count == 8) Emit();
            }
        }

        public void Flush()
        {
            while (_count != 0) Write(1, 1); // pad with one-bits
        }

        private void Emit()
        {
            output.WriteByte((byte)_buffer);
            if (_buffer == 0xFF) output.WriteByte(0x00); // byte stuffing
            (_buffer, _count) = (0, 0);
        }
    }

    /// <summary>The JPEG with an APP1 Exif segment carrying <paramref name="orientation"/> (6: shown turned a quarter clockwise).</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        byte[] tiff = [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, 0, 0, 0, 0];
        byte[] app1 = [0xFF, 0xE1, 0, (byte)(2 + 6 + tiff.Length), .. "Exif\0\0"u8, .. tiff];
        return [.. jpeg.AsSpan(0, 2), .. app1, .. jpeg.AsSpan(2)];
    }

    /// <summary>The start of a GIF: signature, screen size, a colour table and some image data.</summary>
    public static byte[] Gif(int width, int height) =>
        [.. "GIF89a"u8, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0x80, 0, 0, 0, 0, 0, 255, 255, 255,
            0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0, 2, 2, 0x44, 0x01, 0, 0x3B];

    /// <summary>The start of a lossy WebP: RIFF header, VP8 chunk and some frame bytes.</summary>
    public static byte[] WebP(int width, int height)
    {
        byte[] frame = [0x9D, 0x01, 0x2A, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), .. new byte[64]];
        byte[] vp8 = [.. "VP8 "u8, (byte)(frame.Length + 3), 0, 0, 0, 0x10, 0x02, 0x00, .. frame];
        return [.. "RIFF"u8, (byte)(vp8.Length + 4), 0, 0, 0, .. "WEBP"u8, .. vp8];
    }
}
