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
        bool showHandshake, bool binary, TimeSpan quiet, CancellationToken cancellationToken)
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
            // Ctrl+C (the token) ends the input like Ctrl+D does: the session still closes cleanly with 1000.
            var received = new MessageCount();
            var editor = console.IsInteractive && output is PlainOutput ? new LineEditor("> ") : null;
            var receiving = ReceiveAllAsync(client, editor is null ? output : new PromptOutput(editor), received);
            var interrupted = Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            var stop = Task.WhenAny(receiving, interrupted);
            var closeCode = editor is not null
                ? await InteractiveAsync(console, client, editor, stop)
                : await PipeAsync(console, client, output, stop, binary, quiet, received);
            if (!receiving.IsCompleted)
            {
                await SendCloseAsync(client, closeCode?.Code ?? CloseCodes.NormalClosure, closeCode?.Reason ?? "");
            }
            var close = await WithCloseWaitAsync(receiving);
            output.Closed(close.CloseCode, close.CloseReason);
            return close.CloseCode is CloseCodes.NormalClosure or CloseCodes.GoingAway ? (int)ExitCode.Success : (int)ExitCode.Failure;
        }
    }

    /// <summary>
    /// Each input line is a message; each message is written out; at the end of the input, once the server has been
    /// quiet for <paramref name="quiet"/>, the session closes (null: with 1000).
    /// </summary>
    private static async Task<(int Code, string Reason)?> PipeAsync(CliConsole console, WssClient client, ISessionOutput output, Task stop,
        bool binary, TimeSpan quiet, MessageCount received)
    {
        while (await ReadLineAsync(console.Input, stop) is { } line)
        {
            if (line == "/ping" && output is JsonLinesOutput)
            {
                _ = PingAsync(client, output);
                continue;
            }
            if (!await TrySendAsync(client, Encoding.UTF8.GetBytes(line), text: !binary))
            {
                break;
            }
        }
        // Answers to the last lines may still be on their way (a server that stops reading at a close drops them).
        var seen = Volatile.Read(ref received.Value);
        while (!stop.IsCompleted)
        {
            await Task.WhenAny(stop, Task.Delay(quiet));
            var now = Volatile.Read(ref received.Value);
            if (now == seen)
            {
                break;
            }
            seen = now;
        }
        return null;
    }

    /// <summary>A prompt with history: lines are sent, messages appear above it, /ping, /close [code] [reason], /quit.</summary>
    private static async Task<(int Code, string Reason)?> InteractiveAsync(CliConsole console, WssClient client, LineEditor editor, Task stop)
    {
        console.Error.MarkupLine("[grey]Type a message and Enter to send it; /ping, /close [[code]] [[reason]], /quit; Up and Down recall earlier lines.[/]");
        while (await editor.ReadLineAsync(stop) is { } line && line != "/quit")
        {
            if (line.Length == 0)
            {
                continue;
            }
            if (line == "/ping")
            {
                _ = PingAsync(client, new PromptOutput(editor));
                continue;
            }
            if (line.StartsWith("/close", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
                return (parts.Length > 1 && int.TryParse(parts[1], out var given) ? given : CloseCodes.NormalClosure, parts.Length > 2 ? parts[2] : "");
            }
            editor.WriteAbove($"> {line}");
            if (!await TrySendAsync(client, Encoding.UTF8.GetBytes(line), text: true))
            {
                break;
            }
        }
        return null;
    }

    /// <summary>Sends a message; false once the connection is closing (the receive side reports how).</summary>
    private static async Task<bool> TrySendAsync(WssClient client, byte[] payload, bool text)
    {
        try
        {
            await client.SendAsync(payload, text).AsTask().WaitAsync(CloseWait);
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
        {
            return false;
        }
    }

    private static async Task SendCloseAsync(WssClient client, int code, string reason)
    {
        try
        {
            await client.SendCloseAsync(code, reason).AsTask().WaitAsync(CloseWait);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
        {
            // The connection is already going: the receive side reports how.
        }
    }

    private static async Task<WssMessage> ReceiveAllAsync(WssClient client, ISessionOutput output, MessageCount received)
    {
        while (true)
        {
            var message = await client.ReceiveAsync();
            if (message.Kind == WssMessageKind.Close)
            {
                return message;
            }
            Interlocked.Increment(ref received.Value);
            output.Message(message);
        }
    }

    private static async Task PingAsync(WssClient client, ISessionOutput output)
    {
        try
        {
            output.Pong(await client.PingAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        }
        catch (TimeoutException)
        {
            output.Failed("ping", "no pong within 10 s");
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // The connection closed meanwhile: the receive side reports how.
        }
    }

    /// <summary>The next input line, or null at the end of the input or once <paramref name="stop"/> completes.</summary>
    private static async Task<string?> ReadLineAsync(TextReader input, Task stop)
    {
        // Console.In reads synchronously even through ReadLineAsync: a thread of its own keeps the stop observable.
        var line = Task.Run(input.ReadLine);
        return await Task.WhenAny(line, stop) == line ? await line : null;
    }

    private static async Task<WssMessage> WithCloseWaitAsync(Task<WssMessage> receiving)
    {
        if (await Task.WhenAny(receiving, Task.Delay(CloseWait)) == receiving)
        {
            return await receiving;
        }
        return new WssMessage(WssMessageKind.Close, ReadOnlyMemory<byte>.Empty, CloseCodes.Abnormal, $"the server did not answer the close within {CloseWait.TotalSeconds:0} s");
    }

    /// <summary>How many messages have come, to tell when the server has gone quiet.</summary>
    private sealed class MessageCount
    {
        public long Value;
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
