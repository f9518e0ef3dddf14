using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Paddock.Core.References;

/// <summary>
/// Checks that an image whose header passed the rules is whole, so a truncated or damaged file
/// is refused with its reason here rather than failing the render. PNG: every chunk is complete,
/// critical chunks pass their CRC, the header fields are a valid combination, and the image data
/// inflates to exactly as many rows as the header promises (not fewer, and not far more: a bomb's
/// hiding place), each with a valid filter. JPEG: the
/// segments up to the first scan are complete and the scan ends with an end-of-image marker.
/// Runs only after <see cref="ReferenceRules"/>, so the inflated size is bounded by the pixel limit.
/// </summary>
public static class ImageIntegrity
{
    /// <summary>Null when the image is whole, else what is wrong, worded for the user.</summary>
    public static string? Check(ReadOnlySpan<byte> bytes, ImageHeader header) => header.MediaType switch
    {
        "image/png" => CheckPng(bytes),
        "image/jpeg" => CheckJpeg(bytes),
        _ => $"is a {header.MediaType} image, not a JPEG or PNG",
    };

    private static string? CheckPng(ReadOnlySpan<byte> bytes)
    {
        var pos = 8;
        int width = 0, height = 0, bitDepth = 0, colorType = 0, interlace = 0;
        bool seenHeader = false, seenPalette = false, seenEnd = false, idatClosed = false;
        var idat = new List<(int Start, int Length)>();
        while (!seenEnd)
        {
            if (pos + 8 > bytes.Length)
                return idat.Count == 0 ? "is a truncated PNG (the file ends before its image data)" : "is a truncated PNG (the file ends before its IEND chunk)";
            var length = BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(pos, 4));
            var type = bytes.Slice(pos + 4, 4);
            foreach (var c in type)
            {
                if (!char.IsAsciiLetter((char)c)) return $"is a damaged PNG (the chunk at byte {pos} has no valid type)";
            }
            var name = System.Text.Encoding.ASCII.GetString(type);
            if (length > int.MaxValue || (long)pos + 12 + length > bytes.Length)
                return $"is a truncated PNG (the file ends inside its {name} chunk)";
            var data = bytes.Slice(pos + 8, (int)length);
            var critical = char.IsAsciiLetterUpper((char)type[0]);
            // Like libpng: a bad CRC is fatal in a critical chunk and ignored in an ancillary one.
            if (critical && Crc32.Compute(bytes.Slice(pos + 4, 4 + (int)length)) != BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(pos + 8 + (int)length, 4)))
                return $"is a damaged PNG (its {name} chunk fails its CRC check)";
            if (!seenHeader && name != "IHDR") return "is a damaged PNG (IHDR is not its first chunk)";

            switch (name)
            {
                case "IHDR":
                    if (seenHeader) return "is a damaged PNG (it has two IHDR chunks)";
                    if (length != 13) return "is a damaged PNG (its IHDR chunk has the wrong length)";
                    seenHeader = true;
                    width = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data), int.MaxValue);
                    height = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data[4..]), int.MaxValue);
                    (bitDepth, colorType, interlace) = (data[8], data[9], data[12]);
                    if (!ValidDepth(colorType, bitDepth)) return $"is a damaged PNG (bit depth {bitDepth} with colour type {colorType} is not a valid combination)";
                    if (data[10] != 0 || data[11] != 0 || interlace > 1) return "is a damaged PNG (its IHDR names an unknown compression, filter or interlace method)";
                    break;
                case "PLTE":
                    seenPalette = true;
                    break;
                case "IDAT":
                    // libpng refuses image data split by other chunks.
                    if (idatClosed) return "is a damaged PNG (its IDAT chunks are not consecutive)";
                    idat.Add((pos + 8, (int)length));
                    break;
                case "IEND":
                    seenEnd = true;
                    break;
                default:
                    if (critical) return $"is a PNG with an unknown critical chunk {name}";
                    break;
            }
            if (name != "IDAT" && idat.Count > 0) idatClosed = true;
            pos += 12 + (int)length;
        }

        if (idat.Count == 0) return "is a damaged PNG (it has no image data)";
        if (colorType == 3 && !seenPalette) return "is a damaged PNG (a palette image without a PLTE chunk)";
        return CheckImageData(bytes, idat, width, height, bitDepth * Channels(colorType), interlace == 1);
    }

    private static bool ValidDepth(int colorType, int bitDepth) => colorType switch
    {
        0 => bitDepth is 1 or 2 or 4 or 8 or 16,
        3 => bitDepth is 1 or 2 or 4 or 8,
        2 or 4 or 6 => bitDepth is 8 or 16,
        _ => false,
    };

    private static int Channels(int colorType) => colorType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };

    private static readonly (int X, int Y, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>Inflates the image data without keeping it: as many filtered rows as the header needs, each filter byte 0 to 4.</summary>
    private static string? CheckImageData(ReadOnlySpan<byte> bytes, List<(int Start, int Length)> idat, int width, int height, int bitsPerPixel, bool interlaced)
    {
        long expected;
        long stride = 1 + ((long)width * bitsPerPixel + 7) / 8; // rows of a non-interlaced image; interlaced filter bytes are not tracked
        if (!interlaced)
        {
            expected = stride * height;
        }
        else
        {
            expected = 0;
            foreach (var (x, y, dx, dy) in Adam7)
            {
                long columns = width > x ? (width - x + dx - 1) / dx : 0;
                long rows = height > y ? (height - y + dy - 1) / dy : 0;
                if (columns > 0 && rows > 0) expected += rows * (1 + (columns * bitsPerPixel + 7) / 8);
            }
        }

        var compressed = new byte[idat.Sum(c => (long)c.Length)];
        var at = 0;
        foreach (var (start, length) in idat)
        {
            bytes.Slice(start, length).CopyTo(compressed.AsSpan(at));
            at += length;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            using var inflater = new ZLibStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
            long produced = 0, nextFilter = 0;
            while (produced < expected)
            {
                int read;
                try
                {
                    read = inflater.Read(buffer, 0, (int)Math.Min(buffer.Length, expected - produced));
                }
                catch (InvalidDataException)
                {
                    return "is a damaged PNG (its compressed image data is corrupt)";
                }
                if (read == 0) break;
                if (!interlaced)
                {
                    for (; nextFilter < produced + read; nextFilter += stride)
                    {
                        if (buffer[nextFilter - produced] > 4)
                            return $"is a damaged PNG (row {nextFilter / stride} has an unknown filter type)";
                    }
                }
                produced += read;
            }
            if (produced < expected)
                return $"is a truncated or damaged PNG (its image data holds {produced} of the {expected} bytes that {width} × {height} needs)";

            // Data past the last row is what a bomb hides behind an honest header: decoders inflate it whole (libpng
            // reads the stream to its end), so its size is not bounded by the pixel limit. A row's worth of slack is
            // tolerated; beyond that the image is refused, after reading at most that much more.
            long extra = 0;
            while (extra <= stride)
            {
                int read;
                try
                {
                    read = inflater.Read(buffer, 0, (int)Math.Min(buffer.Length, stride + 1 - extra));
                }
                catch (InvalidDataException)
                {
                    return "is a damaged PNG (its compressed image data is corrupt)";
                }
                if (read == 0) return null;
                extra += read;
            }
            return $"is a damaged PNG (its image data inflates past the {expected} bytes that {width} × {height} needs)";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string? CheckJpeg(ReadOnlySpan<byte> bytes)
    {
        var i = 2;
        while (true)
        {
            if (i + 4 > bytes.Length) return "is a truncated JPEG (the file ends before its image data)";
            if (bytes[i] != 0xFF) return $"is a damaged JPEG (no marker at byte {i})";
            var marker = bytes[i + 1];
            if (marker == 0xFF) { i++; continue; }
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { i += 2; continue; }
            if (marker == 0xD9) return "is a damaged JPEG (it ends before its image data)";
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(i + 2, 2));
            if (length < 2 || i + 2 + length > bytes.Length) return "is a truncated JPEG (the file ends inside a header segment)";
            if (marker == 0xDA) break;
            i += 2 + length;
        }

        // Inside entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so an
        // end-of-image marker after the first scan can only be the real one; bytes after it are ignored, as decoders do.
        return bytes[i..].IndexOf([(byte)0xFF, (byte)0xD9]) < 0
            ? "is a truncated JPEG (the file ends before its end-of-image marker)"
            : null;
    }

    /// <summary>CRC-32 (ISO 3309, as PNG uses it), sliced by eight for speed on large IDAT chunks.</summary>
    internal static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        private static uint[] BuildTable()
        {
            var table = new uint[8 * 256];
            for (uint n = 0; n < 256; n++)
            {
                var c = n;
                for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                table[n] = c;
            }
            for (var n = 0; n < 256; n++)
            {
                for (var s = 1; s < 8; s++)
                {
                    var previous = table[(s - 1) * 256 + n];
                    table[s * 256 + n] = (previous >> 8) ^ table[previous & 0xFF];
                }
            }
            return table;
        }

        public static uint Compute(ReadOnlySpan<byte> data)
        {
            var t = Table;
            var crc = 0xFFFFFFFFu;
            while (data.Length >= 8)
            {
                var one = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
                var two = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
                crc = t[7 * 256 + (one & 0xFF)] ^ t[6 * 256 + ((one >> 8) & 0xFF)] ^ t[5 * 256 + ((one >> 16) & 0xFF)] ^ t[4 * 256 + (one >> 24)]
                    ^ t[3 * 256 + (two & 0xFF)] ^ t[2 * 256 + ((two >> 8) & 0xFF)] ^ t[256 + ((two >> 16) & 0xFF)] ^ t[two >> 24];
                data = data[8..];
            }
            foreach (var b in data) crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return ~crc;
        }
    }
}
