using System.Security;
using Microsoft.AspNetCore.Http;
using Paddock.Fakes.DashScope.Protocol;

namespace Paddock.Fakes.DashScope.Endpoints;

/// <summary>The two answer shapes: the provider's JSON, and OSS's XML for the storage routes.</summary>
internal static class Answers
{
    public static IResult Json(object body, int status = StatusCodes.Status200OK) => Results.Json(body, Wire.Json, statusCode: status);

    /// <summary>[errors], [bg-gen]: <c>{"request_id","code","message"}</c> with the error's HTTP status.</summary>
    public static IResult Error(DashScopeError error) => Json(new ErrorAnswer(Wire.NewRequestId(), error.Code, error.Message), error.Status);

    /// <summary>OSS errors are XML <c>&lt;Error&gt;&lt;Code&gt;…</c> [oss-post].</summary>
    public static IResult OssError(int status, string code, string message) => Results.Content(
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>{SecurityElement.Escape(code)}</Code>\n  <Message>{SecurityElement.Escape(message)}</Message>\n" +
        $"  <RequestId>{Guid.NewGuid():N}</RequestId>\n  <HostId>fake-oss</HostId>\n</Error>\n",
        "application/xml", System.Text.Encoding.UTF8, status);
}
