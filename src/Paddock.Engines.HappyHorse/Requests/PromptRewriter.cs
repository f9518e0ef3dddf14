using System.Globalization;
using System.Text;
using Paddock.Core.Prompts;

namespace Paddock.Engines.HappyHorse.Requests;

/// <summary>
/// Writes Paddock's reference mentions (<c>Image 1</c>, <c>Image1</c>, <c>@Image1</c>, <c>@image 1</c>, <c>character1</c>)
/// the way the provider's reference-to-video model reads them: <c>[Image 1]</c> (the current reference page [r2v]) or
/// <c>character1</c> (the April 2026 page [r2v-2604]). Only mentions of a reference that is sent are rewritten; other
/// text, and mentions of images that do not exist, stay as the user wrote them.
/// </summary>
public static class PromptRewriter
{
    public static string Rewrite(string prompt, int referenceCount, PromptReferenceStyle style)
    {
        if (referenceCount == 0 || string.IsNullOrEmpty(prompt)) return prompt;
        var result = new StringBuilder(prompt.Length + 16);
        var at = 0;
        foreach (var mention in ReferenceMentions.Find(prompt))
        {
            if (mention.ImageIndex < 1 || mention.ImageIndex > referenceCount) continue;
            var (start, end) = (mention.Position, mention.Position + mention.Length);
            // Already in the provider's brackets ("[Image 1]"): the brackets are part of the mention, so they are not doubled.
            if (start > 0 && end < prompt.Length && prompt[start - 1] == '[' && prompt[end] == ']') (start, end) = (start - 1, end + 1);
            result.Append(prompt, at, start - at);
            result.Append(Write(mention.ImageIndex, style));
            at = end;
        }
        result.Append(prompt, at, prompt.Length - at);
        return result.ToString();
    }

    public static string Write(int imageIndex, PromptReferenceStyle style) => style switch
    {
        PromptReferenceStyle.Character => "character" + imageIndex.ToString(CultureInfo.InvariantCulture),
        _ => $"[Image {imageIndex.ToString(CultureInfo.InvariantCulture)}]",
    };
}
