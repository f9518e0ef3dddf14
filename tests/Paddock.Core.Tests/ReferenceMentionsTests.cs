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
    [InlineData("Image 12345 and Image 0", new[] { 12345, 0 })]
    [InlineData("character99999999999999999999", new[] { int.MaxValue })]
    [InlineData("Image ١ and character ５ are not numbered images", new int[0])]
    public void Finds_every_way_of_naming_an_image(string prompt, int[] expected) =>
        Assert.Equal(expected, ReferenceMentions.NamedIndexes(prompt));

    [Fact]
    public void A_renderer_casts_only_numbers_that_name_a_given_image() =>
        Assert.Equal([2, 1], ReferenceMentions.NamedWithin("Image 0, Image 2, Image 1, Image 7, image99999999999", 3));
}
