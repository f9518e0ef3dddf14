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
    [GeneratedRegex(@"(?<![\p{L}\p{N}_])@?(?:image|character)[ \t]*([0-9]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MentionPattern();

    /// <summary>
    /// One mention: the image number as written (1-based; 0 names no image; a number too large for an int reads as
    /// <see cref="int.MaxValue"/>) and where it stands in the prompt.
    /// </summary>
    public readonly record struct Mention(int ImageIndex, int Position, int Length)
    {
        /// <summary>Whether it could name an image at all (Image 1 or later).</summary>
        public bool NamesAnImage => ImageIndex >= 1;
    }

    /// <summary>Every mention in the prompt, including ones that name no image (Image 0) or one far beyond any given.</summary>
    public static IReadOnlyList<Mention> Find(string prompt)
    {
        var found = new List<Mention>();
        foreach (Match m in MentionPattern().Matches(prompt))
        {
            var index = int.TryParse(m.Groups[1].ValueSpan, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue;
            found.Add(new Mention(index, m.Index, m.Length));
        }
        return found;
    }

    /// <summary>The distinct image numbers named, in order of first mention (see <see cref="Mention.ImageIndex"/>).</summary>
    public static IReadOnlyList<int> NamedIndexes(string prompt) => Find(prompt).Select(m => m.ImageIndex).Distinct().ToList();

    /// <summary>
    /// The named indexes that exist among <paramref name="referenceCount"/> references: what a renderer
    /// casts. Others are ignored there (the server refuses them earlier, and a prompt never fails a render).
    /// </summary>
    public static IReadOnlyList<int> NamedWithin(string? prompt, int referenceCount) =>
        string.IsNullOrEmpty(prompt) ? [] : NamedIndexes(prompt).Where(i => i >= 1 && i <= referenceCount).ToList();
}
