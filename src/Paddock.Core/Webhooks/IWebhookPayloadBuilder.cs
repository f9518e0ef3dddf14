namespace Paddock.Core.Webhooks;

/// <summary>
/// Writes the body of a delivery in the shape of one API face. An endpoint subscribes to the event names of one face
/// (Paddock's <c>media_generation_*</c>, or the OpenAI face's <c>video.*</c>); its deliveries carry that name, and the
/// builder that owns the name writes the body. Signing (Standard Webhooks) is the same for every face.
/// </summary>
public interface IWebhookPayloadBuilder
{
    /// <summary>The delivery event names (<see cref="WebhookDelivery.EventType"/>) whose bodies this builder writes.</summary>
    IReadOnlyList<string> EventTypes { get; }

    /// <summary>The JSON body of one attempt (written afresh each time, so a signed URL in it is never stale).</summary>
    string Body(WebhookDelivery delivery);
}
