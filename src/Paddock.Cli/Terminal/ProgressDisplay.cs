using System.Diagnostics;
using System.Globalization;
using System.Text;
using Paddock.Client;

namespace Paddock.Cli.Terminal;

/// <summary>
/// Shows a generation's progress on stderr. On a terminal: one line redrawn in place — spinner, phase, bar, percent,
/// ETA, queue position, elapsed time. Otherwise (a log file, a CI job): a plain line when the phase or queue position
/// changes, and at most every few seconds while the percent moves.
/// </summary>
internal sealed class ProgressDisplay : IProgress<GenerationProgress>, IDisposable
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(3);
    private const int BarWidth = 24;

    private readonly TextWriter _writer;
    private readonly bool _live;
    private readonly bool _unicode;
    private readonly string _generationId;
    private readonly Lock _gate = new();
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Timer? _timer;
    private GenerationProgress? _last;
    private string? _lastPlainKey;
    private long _lastPlainAt;
    private int _frame;
    private bool _drawn;
    private bool _stopped;

    /// <param name="generationId">The generation shown.</param>
    /// <param name="live">Redraw one line in place (stderr is a terminal) rather than print plain lines.</param>
    /// <param name="enabled">False for <c>--quiet</c>: nothing is shown.</param>
    public ProgressDisplay(string generationId, bool live, bool enabled)
    {
        _writer = Console.Error;
        _live = live && enabled;
        _stopped = !enabled;
        _unicode = Console.OutputEncoding.CodePage == Encoding.UTF8.CodePage;
        _generationId = generationId;
        if (_live) _timer = new Timer(_ => Redraw(), null, TimeSpan.FromMilliseconds(120), TimeSpan.FromMilliseconds(120));
    }

    public static bool StderrIsTerminal => !Console.IsErrorRedirected;

    public void Report(GenerationProgress value)
    {
        lock (_gate)
        {
            if (_stopped) return;
            _last = value;
            if (_live) Draw();
            else Plain(value);
        }
    }

    /// <summary>Erases the live line and shows nothing more (before a prompt, a message or the download).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_stopped) return;
            _stopped = true;
            _timer?.Dispose();
            if (_live && _drawn) _writer.Write("\r\x1b[2K");
            _drawn = false;
        }
    }

    public void Dispose() => Stop();

    private void Redraw()
    {
        lock (_gate)
        {
            if (_stopped) return;
            _frame++;
            Draw();
        }
    }

    private void Draw()
    {
        var line = Line(_last);
        var width = TerminalWidth();
        if (line.Length >= width) line = line[..Math.Max(0, width - 1)]; // a wrapped line cannot be redrawn in place
        _writer.Write("\r\x1b[2K" + line);
        _writer.Flush();
        _drawn = true;
    }

    private string Line(GenerationProgress? p)
    {
        var spinner = _unicode ? "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏" : "|/-\\";
        var text = new StringBuilder();
        text.Append(spinner[_frame % spinner.Length]).Append(' ');
        text.Append((p?.Phase ?? "waiting").Replace('_', ' ').PadRight(20)).Append(' ');
        var percent = Math.Clamp(p?.Percent ?? 0, 0, 100);
        var filled = (int)Math.Round(percent / 100 * BarWidth);
        text.Append(_unicode ? '▕' : '[')
            .Append(new string(_unicode ? '█' : '#', filled))
            .Append(new string(_unicode ? '░' : '-', BarWidth - filled))
            .Append(_unicode ? '▏' : ']');
        text.Append(' ').Append(p?.Percent is { } known ? $"{known,3:0}%" : "  …%");
        if (p?.QueuePosition is { } position) text.Append("  ").Append(QueueText(position));
        if (p?.EtaSeconds is { } eta && eta > 0) text.Append("  ETA ").Append(Duration(eta));
        text.Append("  ").Append(Duration(Stopwatch.GetElapsedTime(_started).TotalSeconds)).Append(" elapsed");
        return text.ToString();
    }

    private void Plain(GenerationProgress p)
    {
        // A new phase, status or queue position is always worth a line; a moving percent only now and then.
        var key = $"{p.Status}|{p.Phase}|{p.QueuePosition}";
        var now = Stopwatch.GetTimestamp();
        if (key == _lastPlainKey && Stopwatch.GetElapsedTime(_lastPlainAt, now) < PlainInterval) return;
        _lastPlainKey = key;
        _lastPlainAt = now;
        var text = new StringBuilder($"generation {_generationId}: {(p.Phase ?? p.Status.ToString()).Replace('_', ' ')}");
        if (p.Percent is { } percent) text.Append(CultureInfo.InvariantCulture, $" {percent:0}%");
        if (p.QueuePosition is { } position) text.Append(", ").Append(QueueText(position));
        if (p.EtaSeconds is { } eta && eta > 0) text.Append(", ETA ").Append(Duration(eta));
        _writer.WriteLine(text.ToString());
    }

    private static string QueueText(int position) => position <= 1 ? "next in queue" : $"queue position {position}";

    public static string Duration(double seconds)
    {
        var s = (int)Math.Ceiling(Math.Max(0, seconds));
        return s < 60 ? $"{s}s" : s < 3600 ? $"{s / 60}m{s % 60:00}s" : $"{s / 3600}h{s % 3600 / 60:00}m";
    }

    private static int TerminalWidth()
    {
        try
        {
            var width = Console.WindowWidth;
            return width > 10 ? width : 80;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return 80;
        }
    }
}
