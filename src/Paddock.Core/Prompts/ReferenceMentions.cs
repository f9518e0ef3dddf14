using System.Text.RegularExpressions;

namespace Paddock.Core.Prompts;

/// <summary>
/// Finds the reference images a prompt names: <c>Image 1</c>, <c>Image1</c>, <c>@Image1</c>,
/// <c>@image 1</c> and <c>character1</c> all mean the first reference (case-insensitive).
/// </summary>
public static partial class ReferenceMentions
{
    // Not preceded by a letter or digit, so "myimage1" is not a mention; not followed by a digit, so
    // "Image 12" is never read as Image 1.
    [GeneratedRegex(@"(?<![\p{L}\p{N}_])@?(?:image|character)[ \t]*(\d{1,4})(?!\d)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MentionPattern();

    /// <summary>One mention: the 1-based image index and where it stands in the prompt.</summary>
    public readonly record struct Mention(int ImageIndex, int Position, int Length);

    public static IReadOnlyList<Mention> Find(string prompt)
    {
        var found = new List<Mention>();
        foreach (Match m in MentionPattern().Matches(prompt))
        {
            if (int.TryParse(m.Groups[1].ValueSpan, out var index) && index > 0)
                found.Add(new Mention(index, m.Index, m.Length));
        }
        return found;
    }

    /// <summary>The distinct 1-based indexes named, in order of first mention.</summary>
    public static IReadOnlyList<int> NamedIndexes(string prompt) => Find(prompt).Select(m => m.ImageIndex).Distinct().ToList();

    /// <summary>
    /// The named indexes that exist among <paramref name="referenceCount"/> references: what a renderer
    /// casts. Others are ignored there (the server refuses them earlier, and a prompt never fails a render).
    /// </summary>
    public static IReadOnlyList<int> NamedWithin(string? prompt, int referenceCount) =>
        string.IsNullOrEmpty(prompt) ? [] : NamedIndexes(prompt).Where(i => i <= referenceCount).ToList();
}
