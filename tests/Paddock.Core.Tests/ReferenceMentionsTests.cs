using Paddock.Core.Prompts;

namespace Paddock.Core.Tests;

public sealed class ReferenceMentionsTests
{
    [Theory]
    [InlineData("Image 1 walks", new[] { 1 })]
    [InlineData("Image1 and @Image2 meet @image 3", new[] { 1, 2, 3 })]
    [InlineData("character1 waves at CHARACTER2", new[] { 1, 2 })]
    [InlineData("image 2 then Image 1 then image2", new[] { 2, 1 })]
    [InlineData("an imagery of 1 horse; images 3", new int[0])]
    [InlineData("myimage1 is not a mention", new int[0])]
    public void Finds_every_way_of_naming_an_image(string prompt, int[] expected) =>
        Assert.Equal(expected, ReferenceMentions.NamedIndexes(prompt));
}
