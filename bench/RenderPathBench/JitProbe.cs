using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

/// <summary>
/// Loaded into each <c>paddock serve</c> under test by <c>DOTNET_STARTUP_HOOKS</c> (any build, no change to Paddock):
/// it answers every connection to the Unix socket named by <see cref="RenderPathBench.JitProbeClient.SocketVariable"/>
/// with the process's JIT figures so far (<see cref="System.Runtime.JitInfo"/>, all threads), so the bench can tell how
/// much of a measured window was still tiered compilation. It waits in <c>accept</c> and costs nothing between reads.
/// </summary>
[SuppressMessage("Design", "CA1050:Declare types in namespaces", Justification = "The runtime looks for a type named StartupHook in no namespace.")]
internal static class StartupHook
{
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(RenderPathBench.JitProbeClient.SocketVariable) is not { Length: > 0 } path) return;
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        new Thread(() =>
        {
            while (true)
            {
                using var client = listener.Accept();
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{System.Runtime.JitInfo.GetCompilationTime().Ticks} {System.Runtime.JitInfo.GetCompiledMethodCount()}\n");
                client.Send(Encoding.ASCII.GetBytes(line));
            }
        })
        { IsBackground = true, Name = "RenderPathBench JIT probe" }.Start();
    }
}

namespace RenderPathBench
{
    /// <summary>The bench's side of <see cref="StartupHook"/>: the server's JIT time and methods compiled so far.</summary>
    internal static class JitProbeClient
    {
        public const string SocketVariable = "RENDERPATHBENCH_JIT_SOCKET";

        /// <summary>This assembly, for <c>DOTNET_STARTUP_HOOKS</c>.</summary>
        public static string HookAssembly => typeof(JitProbeClient).Assembly.Location;

        public static JitFigures? Read(string socketPath)
        {
            try
            {
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                socket.Connect(new UnixDomainSocketEndPoint(socketPath));
                using var reader = new StreamReader(new NetworkStream(socket, ownsSocket: false), Encoding.ASCII);
                var fields = reader.ReadLine()?.Split(' ');
                return fields is [var ticks, var methods]
                    ? new JitFigures(TimeSpan.FromTicks(long.Parse(ticks, CultureInfo.InvariantCulture)).TotalMilliseconds, long.Parse(methods, CultureInfo.InvariantCulture))
                    : null;
            }
            catch (SocketException)
            {
                return null; // the hook did not load (the figures are then left out of the report)
            }
        }
    }

    internal readonly record struct JitFigures(double Milliseconds, long Methods)
    {
        public static JitFigures operator -(JitFigures a, JitFigures b) => new(a.Milliseconds - b.Milliseconds, a.Methods - b.Methods);
    }
}
