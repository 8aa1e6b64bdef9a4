using System.Text.Json;
using WssKit.Protocol.Framing;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// test/peers/raw_frames.py: Python's ssl sockets sending hand-made frames (valid or not) and reporting every frame
/// the server sends back, and whether and when it closed the connection.
/// </summary>
public static class RawPeer
{
    /// <summary>Runs a script of steps (see raw_frames.py) and returns its events.</summary>
    public static async Task<List<JsonElement>> RunAsync(int port, string caPath, object[] steps, TimeSpan? timeout = null)
    {
        var result = await Tool.RunAsync("/usr/bin/python3",
            [Path.Combine(Repository.Peers, "raw_frames.py"), "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "/echo", caPath, JsonSerializer.Serialize(steps)],
            timeout ?? TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.All);
        return [.. result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    /// <summary>A frame as a client sends it (masked), with every bit under the caller's control, in hex for the script.</summary>
    public static string Frame(Opcode opcode, ReadOnlySpan<byte> payload, bool fin = true, bool masked = true, int rsv = 0, long? declaredLength = null)
    {
        var bytes = new byte[FrameHeader.MaxLength + payload.Length];
        var header = FrameHeader.Write(bytes, opcode, declaredLength ?? payload.Length, fin, mask: masked ? 0x0BADF00Du : null);
        bytes[0] |= (byte)(rsv << 4);
        payload.CopyTo(bytes.AsSpan(header));
        if (masked)
        {
            Masking.Apply(bytes.AsSpan(header, payload.Length), 0x0BADF00Du, 0);
        }
        return Convert.ToHexString(bytes, 0, header + payload.Length);
    }
}
