namespace Paddock.Cli.Terminal;

/// <summary>Columns padded to their widest cell, written to stdout; the last column is not padded.</summary>
internal static class Table
{
    public static void Write(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, headers.Count).Select(c => all.Max(r => c < r.Count ? r[c].Length : 0)).ToArray();
        foreach (var row in all)
        {
            var cells = row.Select((cell, c) => c == row.Count - 1 ? cell : cell.PadRight(widths[c]));
            Console.Out.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }

    public static string Truncate(string? text, int length)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= length ? flat : flat[..(length - 1)] + "…";
    }
}
