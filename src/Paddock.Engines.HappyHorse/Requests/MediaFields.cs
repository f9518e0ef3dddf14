using Paddock.Engines.HappyHorse.Protocol;

namespace Paddock.Engines.HappyHorse.Requests;

/// <summary>
/// How the media sent for one generation map back onto its request's fields, so a provider's complaint about
/// <c>input.media[i]</c> names <c>reference_images[i]</c> (or <c>input_image</c>) as the user wrote it.
/// </summary>
public sealed record MediaFields(GenerationMode Mode, int Count, ReferenceDelivery? Delivery)
{
    public string FieldFor(string? providerMessage)
    {
        if (Mode == GenerationMode.ImageToVideo) return "input_image";
        if (providerMessage is not null && ProviderFailures.MediaIndex().Match(providerMessage) is { Success: true } m
            && int.TryParse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture, out var index) && index >= 0 && index < Count)
            return $"reference_images[{index}]";
        return Count == 1 ? "reference_images[0]" : "reference_images";
    }
}
