using System.Buffers.Binary;

namespace Paddock.Media;

/// <summary>The top-level layout of an MP4 file, read from its box headers only.</summary>
internal static class Mp4Layout
{
    /// <summary>
    /// True when the file's <c>moov</c> box comes before its <c>mdat</c> (a "fast start" file: a player starts before the
    /// download ends). False for any other layout, or a file that is not a readable MP4.
    /// </summary>
    public static bool IsFastStart(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[16];
        long position = 0;
        while (position + 8 <= file.Length)
        {
            file.Position = position;
            if (file.ReadAtLeast(header[..8], 8, throwOnEndOfStream: false) < 8) return false;
            long size = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = System.Text.Encoding.ASCII.GetString(header[4..8]);
            if (type == "moov") return true;
            if (type == "mdat") return false;
            if (size == 1)
            {
                if (file.ReadAtLeast(header[8..16], 8, throwOnEndOfStream: false) < 8) return false;
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(header[8..16]);
            }
            if (size < 8) return false; // 0 (to the end of the file) or malformed: no moov ahead
            position += size;
        }
        return false;
    }
}
