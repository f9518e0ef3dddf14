using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Paddock.Server.Tests.Support;

/// <summary>One log line as a structured logger receives it: its message and the fields of every scope around it.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Fields);

/// <summary>
/// A logger provider that keeps every line with its scopes' fields, as a JSON console or OpenTelemetry's log exporter
/// would write them (both read the scopes through the same external scope provider).
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<CapturedLog> Lines { get; } = new();

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
            owner._scopes.ForEachScope((scope, into) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    foreach (var (key, value) in pairs) into[key] = value;
            }, fields);
            owner.Lines.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), fields));
        }
    }
}
