namespace Paddock.Cli.Remote;

/// <summary>A mistake in how the command was called: exit code 2 with the message and a pointer to <c>paddock help</c>.</summary>
internal sealed class UsageException(string message) : Exception(message);
