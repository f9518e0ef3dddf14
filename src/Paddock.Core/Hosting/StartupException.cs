namespace Paddock.Core.Hosting;

/// <summary>A reason a process cannot start that the user can fix, already worded for them (which file, which setting, what to do).</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
