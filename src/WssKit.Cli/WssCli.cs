using System.CommandLine;
using System.Reflection;
using Spectre.Console;
using WssKit.Cli.Cert;
using WssKit.Cli.Serve;

namespace WssKit.Cli;

/// <summary>The wss command line: one factory per subcommand; parse errors get one line and exit code 2.</summary>
internal static class WssCli
{
    public static string Version { get; } = typeof(WssCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Set it to see the full exception of an unexpected error.</summary>
    public const string DebugVariable = "WSS_DEBUG";

    public static RootCommand Build(CliConsole console)
    {
        var root = new RootCommand("wss: run, use and troubleshoot WebSockets Secure (wss://).")
        {
            ServeCommand.Create(console),
            CertCommand.Create(console),
            Connect.ConnectCommand.Create(console),
            Bench.BenchCommand.Create(console),
            Check.CheckCommand.Create(console),
            Certs.CertsCommand.Create(console),
        };
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        var root = Build(console);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                console.Fail(error.Message);
            }
            console.Error.WriteLine($"See '{CommandPath(parsed.CommandResult.Command)} --help'.");
            return (int)ExitCode.Usage;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                // Commands handle signals themselves (a server drains its connections first).
                ProcessTerminationTimeout = null,
                EnableDefaultExceptionHandler = false,
                Output = new ConsoleWriter(console.Out),
                Error = new ConsoleWriter(console.Error),
            });
        }
        catch (Exception e) when (console.Environment(DebugVariable) is null)
        {
            // Expected failures are reported by the commands; this is a bug. One line, and how to see more.
            console.Fail($"unexpected error: {e.GetType().Name}: {e.Message} (run with {DebugVariable}=1 for the details, and please report it)");
            return (int)ExitCode.Failure;
        }
    }

    /// <summary>"wss cert ca" for the ca command: the root is always called wss, whatever the executable's name.</summary>
    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? current = command; current is Command named && named is not RootCommand; current = current.Parents.FirstOrDefault())
        {
            names.Insert(0, named.Name);
        }
        return string.Join(' ', ["wss", .. names]);
    }

    /// <summary>Routes System.CommandLine's help and version text to the console seam.</summary>
    private sealed class ConsoleWriter(Spectre.Console.IAnsiConsole console) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) => console.Profile.Out.Writer.Write(value);

        public override void Write(string? value) => console.Profile.Out.Writer.Write(value);

        public override void WriteLine(string? value) => console.Profile.Out.Writer.WriteLine(value);
    }
}
