using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Paddock.Core.Configuration;
using Paddock.Core.Hosting;

namespace Paddock.Server.Hosting;

/// <summary>
/// Runs a Paddock process to its end and turns a failed start into one line naming the problem and its fix, with a
/// documented exit code, instead of a stack trace: a bad setting (2), or something in the way of starting (4) such as
/// a port in use or a data directory that cannot be written.
/// </summary>
public static class PaddockProcess
{
    public const int Stopped = 0;
    public const int BadSetting = 2;
    public const int CannotStart = 4;

    public static async Task<int> RunAsync(string[] args, PaddockRole role, Action<WebApplicationBuilder>? configure = null)
    {
        var urls = UrlsOf(args) ?? PaddockApp.DefaultUrls(role);
        if (CheckUrls(urls) is { } badUrls) return Fail(BadSetting, [badUrls]);
        try
        {
            await using var app = PaddockApp.Build(args, builder =>
            {
                // The host's own "failed to start" line repeats, with a stack trace, what this method says in one line.
                builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
                configure?.Invoke(builder);
            }, role);
            // Every setting is checked before any service uses one, so a start reports all bad settings at once.
            app.Services.ValidateSettings();
            await app.RunAsync();
            return Stopped;
        }
        catch (Exception e) when (Explain(e, urls) is { } failure)
        {
            return Fail(failure.Code, failure.Lines);
        }
    }

    private static int Fail(int code, IReadOnlyList<string> lines)
    {
        foreach (var line in lines) Console.Error.WriteLine($"paddock: {line}");
        Console.Error.WriteLine(code == BadSetting
            ? "paddock: not started. Settings come from appsettings.json, PADDOCK__SECTION__KEY environment variables and --Paddock:Section:Key=value options."
            : "paddock: not started.");
        return code;
    }

    /// <summary>What went wrong, by the exception's type (never its English text), or null for a bug worth its stack trace.</summary>
    public static (int Code, IReadOnlyList<string> Lines)? Explain(Exception e, string urls)
    {
        switch (e)
        {
            case OptionsValidationException invalid:
                return (BadSetting, invalid.Failures.ToList());
            case AggregateException many when many.InnerExceptions.All(i => i is OptionsValidationException):
                return (BadSetting, many.InnerExceptions.SelectMany(i => ((OptionsValidationException)i).Failures).Distinct().ToList());
            case AggregateException { InnerExceptions.Count: 1 } one:
                return Explain(one.InnerExceptions[0], urls);
            case StartupException startup:
                return (CannotStart, [startup.Message]);
            case IOException { InnerException: AddressInUseException }:
                return (CannotStart, [$"cannot listen on {urls}: the port is already in use (another Paddock, or another program). Stop it, or choose another address, e.g. --urls http://127.0.0.1:{SuggestedPort(urls)}"]);
            case IOException { InnerException: SocketException { SocketErrorCode: SocketError.AccessDenied } }:
                return (CannotStart, [$"cannot listen on {urls}: permission denied (ports below 1024 need privileges). Choose another port, e.g. --urls http://127.0.0.1:8080"]);
            case IOException { InnerException: SocketException { SocketErrorCode: SocketError.AddressNotAvailable } }:
                return (CannotStart, [$"cannot listen on {urls}: this machine has no such address. Use one of its addresses, 127.0.0.1, or 0.0.0.0 for all of them (--urls)"]);
            case UnauthorizedAccessException denied:
                return (CannotStart, [$"{denied.Message.TrimEnd('.')}: Paddock cannot write its data there. Give it a folder it can write (--data-dir DIR)"]);
            case SqliteException sqlite:
                return (CannotStart, [$"cannot open the database: {sqlite.Message} (is the data directory's paddock.db a Paddock database? choose another with --data-dir)"]);
            case DirectoryNotFoundException or PathTooLongException:
                return (CannotStart, [$"{e.Message} Check --data-dir and the paths in the settings."]);
            default:
                return null;
        }
    }

    private static string? UrlsOf(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables("ASPNETCORE_").AddCommandLine(args).Build();
        return configuration["urls"] is { Length: > 0 } urls ? urls : null;
    }

    /// <summary>Kestrel's own message for a malformed address names no option; say which option and what it takes.</summary>
    private static string? CheckUrls(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // Kestrel also takes http://*:port and http://+:port, which Uri does not parse as hosts.
            var parseable = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(parseable, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
                return $"--urls has '{url}'; give one or more addresses separated by ';', each like http://127.0.0.1:8080 or http://0.0.0.0:8080";
        }
        return null;
    }

    private static int SuggestedPort(string urls)
    {
        var first = urls.Split(';')[0].Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        return Uri.TryCreate(first, UriKind.Absolute, out var uri) && uri.Port is > 0 and < 65535 ? uri.Port + 1 : 8081;
    }
}
