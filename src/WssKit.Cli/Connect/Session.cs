using System.Text;
using Spectre.Console;
using WssKit.Client;
using WssKit.Protocol.Framing;

namespace WssKit.Cli.Connect;

/// <summary>One connect session: connect, then talk in a terminal or through a pipe, then close.</summary>
internal static class Session
{
    // After the input ends and our close is sent, how long the server gets to answer it.
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(CliConsole console, Uri url, WssClientOptions options, ISessionOutput output,
        bool showHandshake, bool binary, CancellationToken cancellationToken)
    {
        WssClient client;
        try
        {
            client = await WssClient.ConnectAsync(url, options, cancellationToken);
        }
        catch (WssConnectException e)
        {
            output.Failed(e.Stage.ToString().ToLowerInvariant(), e.Message);
            return (int)ExitCode.Failure;
        }
        await using (client)
        {
            output.Opened(url, client, showHandshake);
            var close = console.IsInteractive && output is PlainOutput
                ? await InteractiveAsync(console, client, cancellationToken)
                : await PipeAsync(console, client, output, binary, cancellationToken);
            output.Closed(close.CloseCode, close.CloseReason);
            return close.CloseCode is CloseCodes.NormalClosure or CloseCodes.GoingAway ? (int)ExitCode.Success : (int)ExitCode.Failure;
        }
    }

    /// <summary>Each input line is a message; each message is written out; the end of the input closes with 1000.</summary>
    private static async Task<WssMessage> PipeAsync(CliConsole console, WssClient client, ISessionOutput output, bool binary, CancellationToken cancellationToken)
    {
        var receiving = ReceiveAllAsync(client, output, cancellationToken);
        while (!receiving.IsCompleted && await ReadLineAsync(console.Input, receiving, cancellationToken) is { } line)
        {
            if (line == "/ping" && output is JsonLinesOutput)
            {
                _ = PingAsync(client, output, cancellationToken);
                continue;
            }
            try
            {
                await client.SendAsync(Encoding.UTF8.GetBytes(line), text: !binary, cancellationToken);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                break; // the connection is closing: the receive side reports how
            }
        }
        if (!receiving.IsCompleted)
        {
            await client.SendCloseAsync(CloseCodes.NormalClosure, "", cancellationToken);
        }
        return await WithCloseWaitAsync(receiving);
    }

    /// <summary>A prompt with history: lines are sent, messages appear above it, /ping, /close [code] [reason], /quit.</summary>
    private static async Task<WssMessage> InteractiveAsync(CliConsole console, WssClient client, CancellationToken cancellationToken)
    {
        var editor = new LineEditor("> ");
        var receiving = ReceiveAllAsync(client, new PromptOutput(editor), cancellationToken);
        console.Error.MarkupLine("[grey]Type a message and Enter to send it; /ping, /close [[code]] [[reason]], /quit; Up and Down recall earlier lines.[/]");
        while (!receiving.IsCompleted)
        {
            var line = await editor.ReadLineAsync(receiving);
            if (line is null || line == "/quit")
            {
                break;
            }
            if (line.Length == 0)
            {
                continue;
            }
            if (line == "/ping")
            {
                _ = PingAsync(client, new PromptOutput(editor), cancellationToken);
                continue;
            }
            if (line.StartsWith("/close", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
                var code = parts.Length > 1 && int.TryParse(parts[1], out var given) ? given : CloseCodes.NormalClosure;
                await client.SendCloseAsync(code, parts.Length > 2 ? parts[2] : "", cancellationToken);
                return await WithCloseWaitAsync(receiving);
            }
            editor.WriteAbove($"> {line}");
            await client.SendTextAsync(line, cancellationToken);
        }
        if (!receiving.IsCompleted)
        {
            await client.SendCloseAsync(CloseCodes.NormalClosure, "", cancellationToken);
        }
        return await WithCloseWaitAsync(receiving);
    }

    private static async Task<WssMessage> ReceiveAllAsync(WssClient client, ISessionOutput output, CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = await client.ReceiveAsync(cancellationToken);
            if (message.Kind == WssMessageKind.Close)
            {
                return message;
            }
            output.Message(message);
        }
    }

    private static async Task PingAsync(WssClient client, ISessionOutput output, CancellationToken cancellationToken)
    {
        try
        {
            output.Pong(await client.PingAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken));
        }
        catch (TimeoutException)
        {
            output.Failed("ping", "no pong within 10 s");
        }
    }

    /// <summary>The next input line, or null at the end of the input or once the connection has closed.</summary>
    private static async Task<string?> ReadLineAsync(TextReader input, Task closed, CancellationToken cancellationToken)
    {
        var line = input.ReadLineAsync(cancellationToken).AsTask();
        return await Task.WhenAny(line, closed) == line ? await line : null;
    }

    private static async Task<WssMessage> WithCloseWaitAsync(Task<WssMessage> receiving)
    {
        if (await Task.WhenAny(receiving, Task.Delay(CloseWait)) == receiving)
        {
            return await receiving;
        }
        return new WssMessage(WssMessageKind.Close, ReadOnlyMemory<byte>.Empty, CloseCodes.Abnormal, $"the server did not answer the close within {CloseWait.TotalSeconds:0} s");
    }

    /// <summary>In a terminal, messages are printed above the prompt the user is typing in.</summary>
    private sealed class PromptOutput(LineEditor editor) : ISessionOutput
    {
        public void Opened(Uri url, WssClient client, bool showHandshake)
        {
        }

        public void Message(WssMessage message)
            => editor.WriteAbove(message.Kind == WssMessageKind.Text ? $"< {message.Text}" : $"< [binary, {message.Data.Length} bytes] {Convert.ToHexString(message.Data.Span[..Math.Min(32, message.Data.Length)])}");

        public void Pong(TimeSpan roundTrip) => editor.WriteAbove($"pong in {roundTrip.TotalMilliseconds:0.0} ms");

        public void Closed(int code, string? reason)
        {
        }

        public void Failed(string stage, string message) => editor.WriteAbove($"{stage}: {message}");
    }
}
