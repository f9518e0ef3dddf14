using Paddock.Engines.HappyHorse.Requests;

namespace Paddock.Engines.HappyHorse.Tests;

/// <summary>Every way Paddock lets a prompt name a reference becomes the provider's own syntax, and nothing else changes.</summary>
public sealed class PromptTests
{
    [Theory]
    [InlineData("Image 1 meets Image2, @Image1 and @image 2 smile; character1 bows.", PromptReferenceStyle.Bracketed,
        "[Image 1] meets [Image 2], [Image 1] and [Image 2] smile; [Image 1] bows.")]
    [InlineData("Image 1 meets Image2, @Image1 and @image 2 smile; character1 bows.", PromptReferenceStyle.Character,
        "character1 meets character2, character1 and character2 smile; character1 bows.")]
    [InlineData("The fan from [Image 2] and the dress of [image 1].", PromptReferenceStyle.Bracketed, "The fan from [Image 2] and the dress of [Image 1].")]
    [InlineData("The fan from [Image 2].", PromptReferenceStyle.Character, "The fan from character2.")]
    [InlineData("Image 3 and Image 12 are not there; myimage1 is a word.", PromptReferenceStyle.Bracketed, "Image 3 and Image 12 are not there; myimage1 is a word.")]
    public void Mentions_are_written_the_providers_way(string prompt, PromptReferenceStyle style, string expected) =>
        Assert.Equal(expected, PromptRewriter.Rewrite(prompt, 2, style));

    [Fact]
    public void A_prompt_without_references_is_sent_as_written() =>
        Assert.Equal("Image 1 walks.", PromptRewriter.Rewrite("Image 1 walks.", 0, PromptReferenceStyle.Bracketed));
}
