using Spectre.Console;

namespace Paddock.Cli.Terminal;

/// <summary>
/// A table on stdout, drawn by Spectre.Console: columns padded to their widest cell, no borders, headers bold on a
/// terminal. Rows are never wrapped or squeezed to the terminal's width (an id cut in two cannot be copied), and no
/// line ends in padding, so a script can read it with <c>awk</c> or <c>cut</c>.
/// </summary>
internal static class Table
{
    /// <summary>A JSON answer's field as a table cell: a string as it is, null or missing as empty, anything else as its JSON.</summary>
    public static string Cell(System.Text.Json.JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            System.Text.Json.JsonValueKind.String => v.GetString() ?? "",
            System.Text.Json.JsonValueKind.Null or System.Text.Json.JsonValueKind.Undefined => "",
            _ => v.GetRawText(),
        } : "";

    public static void Write(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new Spectre.Console.Table().Border(TableBorder.None);
        var header = Console.IsOutputRedirected ? Style.Plain : new Style(decoration: Decoration.Bold);
        for (var c = 0; c < headers.Count; c++)
            table.AddColumn(new TableColumn(new Text(headers[c], header)).NoWrap().Padding(0, 0, c == headers.Count - 1 ? 0 : 2, 0));
        foreach (var row in rows) table.AddRow(row.Select(cell => new Text(cell)).ToArray());

        using var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text),
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Yes,
            ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        console.Profile.Width = int.MaxValue / 2; // as wide as the rows are: never wrapped
        console.Write(table);
        foreach (var line in text.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'))
            Console.Out.WriteLine(line.TrimEnd());
    }

    public static string Truncate(string? text, int length)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= length ? flat : flat[..(length - 1)] + "…";
    }
}
