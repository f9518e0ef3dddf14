using System.Globalization;
using System.Text.RegularExpressions;

namespace Paddock.Engines.Builtin.Scene;

/// <summary>Finds the references a prompt names: <c>Image 1</c>, <c>Image1</c>, <c>@Image1</c>, <c>@image 1</c>, <c>character1</c>.</summary>
internal static partial class PromptReferences
{
    /// <summary>
    /// The 1-based reference indices the prompt names, in order of first mention, without repeats.
    /// Indices outside 1..<paramref name="referenceCount"/> are ignored: the server rejects them before
    /// a job gets here, and nothing in a prompt may make rendering fail.
    /// </summary>
    public static IReadOnlyList<int> Named(string? prompt, int referenceCount)
    {
        if (string.IsNullOrEmpty(prompt) || referenceCount <= 0)
        {
            return [];
        }

        var named = new List<int>();
        foreach (Match match in MentionPattern().Matches(prompt))
        {
            if (int.TryParse(match.Groups["index"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index >= 1 && index <= referenceCount && !named.Contains(index))
            {
                named.Add(index);
            }
        }

        return named;
    }

    // Not preceded by a letter or digit, so "myimage1" is not a mention; not followed by a digit, so
    // "Image 12" is never read as Image 1.
    [GeneratedRegex(@"(?<![\p{L}\p{N}_])@?(?:image|character)[ \t]*(?<index>\d{1,4})(?!\d)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MentionPattern();
}
