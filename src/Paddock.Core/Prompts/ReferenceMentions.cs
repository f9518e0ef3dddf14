using System.Text.RegularExpressions;

namespace Paddock.Core.Prompts;

/// <summary>
/// Finds the reference images a prompt names: <c>Image 1</c>, <c>Image1</c>, <c>@Image1</c>,
/// <c>@image 1</c> and <c>character1</c> all mean the first reference (case-insensitive).
/// </summary>
public static partial class ReferenceMentions
{
    [GeneratedRegex(@"(?<![A-Za-z0-9])@?(?:image|character)\s?(\d{1,4})(?![0-9])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
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
}
