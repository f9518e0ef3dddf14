using System.Buffers.Binary;

namespace Paddock.Core.References;

/// <summary>
/// What the header of an image says, read before any full decode. Width and height are as the
/// image is shown: a JPEG whose EXIF orientation turns it a quarter (5 to 8) has them swapped
/// against its stored pixels.
/// </summary>
public sealed record ImageHeader(string MediaType, int Width, int Height, int Orientation = 1);

/// <summary>
/// Identifies JPEG and PNG by their bytes (never by name or Content-Type) and reads their
/// dimensions from the header, so oversized images are refused before anything decodes them.
/// </summary>
public static class ImageInspector
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The media type the first bytes announce (JPEG, PNG, GIF, WebP), or null.</summary>
    public static string? SniffMediaType(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(PngSignature)) return "image/png";
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return "image/jpeg";
        if (head.StartsWith("GIF8"u8)) return "image/gif";
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head.Slice(8, 4).SequenceEqual("WEBP"u8)) return "image/webp";
        return null;
    }

    /// <summary>The header, or null with a reason a user can act on.</summary>
    public static ImageHeader? Inspect(ReadOnlySpan<byte> bytes, out string? problem)
    {
        problem = null;
        if (bytes.StartsWith(PngSignature)) return ReadPng(bytes, out problem);
        if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) return ReadJpeg(bytes, out problem);
        problem = $"is not a JPEG or PNG image ({Describe(bytes)})";
        return null;
    }

    private static ImageHeader? ReadPng(ReadOnlySpan<byte> bytes, out string? problem)
    {
        // Signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4).
        if (bytes.Length < 33 || !bytes.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            problem = "is a truncated or damaged PNG (no IHDR header)";
            return null;
        }
        var width = BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(16, 4));
        var height = BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(20, 4));
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
        {
            problem = "is a PNG with invalid dimensions";
            return null;
        }
        problem = null;
        return new ImageHeader("image/png", (int)width, (int)height);
    }

    private static ImageHeader? ReadJpeg(ReadOnlySpan<byte> bytes, out string? problem)
    {
        var orientation = 1;
        var i = 2;
        while (i + 4 <= bytes.Length)
        {
            if (bytes[i] != 0xFF) { i++; continue; }
            var marker = bytes[i + 1];
            if (marker == 0xFF) { i++; continue; } // fill byte
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { i += 2; continue; } // markers without a length
            if (marker == 0xD9 || marker == 0xDA) break; // end of image or start of scan before any frame header
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(i + 2, 2));
            if (length < 2) break;
            if (marker == 0xE1 && i + 2 + length <= bytes.Length)
                orientation = ExifOrientation(bytes.Slice(i + 4, length - 2)) ?? orientation;
            var isFrameHeader = marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC);
            if (isFrameHeader)
            {
                if (i + 9 > bytes.Length) break;
                var height = BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(i + 5, 2));
                var width = BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(i + 7, 2));
                if (width == 0 || height == 0)
                {
                    problem = "is a JPEG with invalid dimensions";
                    return null;
                }
                problem = null;
                // Orientations 5 to 8 turn the picture a quarter: it is shown with its sides swapped.
                return orientation >= 5
                    ? new ImageHeader("image/jpeg", height, width, orientation)
                    : new ImageHeader("image/jpeg", width, height, orientation);
            }
            i += 2 + length;
        }
        problem = "is a truncated or damaged JPEG (no frame header)";
        return null;
    }

    /// <summary>The orientation tag (1 to 8) of an APP1 Exif segment's first IFD, or null when it has none.</summary>
    internal static int? ExifOrientation(ReadOnlySpan<byte> app1)
    {
        if (!app1.StartsWith("Exif\0\0"u8)) return null;
        var tiff = app1[6..];
        if (tiff.Length < 8) return null;
        bool little;
        if (tiff.StartsWith("II"u8)) little = true;
        else if (tiff.StartsWith("MM"u8)) little = false;
        else return null;
        ushort U16(ReadOnlySpan<byte> s) => little ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);
        uint U32(ReadOnlySpan<byte> s) => little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);

        var ifd = U32(tiff[4..]);
        if (ifd > (uint)tiff.Length - 2) return null;
        var count = U16(tiff[(int)ifd..]);
        for (var n = 0; n < count; n++)
        {
            var entry = (int)ifd + 2 + n * 12;
            if (entry + 12 > tiff.Length) return null;
            if (U16(tiff[entry..]) != 0x0112) continue;
            // Type SHORT, count 1: the value sits in the first two bytes of the value field.
            if (U16(tiff[(entry + 2)..]) != 3) return null;
            var value = U16(tiff[(entry + 8)..]);
            return value is >= 1 and <= 8 ? value : null;
        }
        return null;
    }

    private static string Describe(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return "it is empty";
        if (bytes.StartsWith("GIF8"u8)) return "it is a GIF";
        if (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes.Slice(8, 4).SequenceEqual("WEBP"u8)) return "it is a WebP";
        if (bytes.StartsWith("<"u8) || bytes.StartsWith("\uFEFF<"u8)) return "it looks like HTML or XML";
        return "its first bytes match no supported format";
    }
}
