namespace WssKit.Protocol.Compression;

/// <summary>The agreed parameters of permessage-deflate (RFC 7692 §7.1).</summary>
/// <param name="ServerNoContextTakeover">The server starts every message with an empty window.</param>
/// <param name="ClientNoContextTakeover">The client starts every message with an empty window.</param>
/// <param name="ServerMaxWindowBits">The largest window the server compresses with (9–15; zlib cannot make 8).</param>
/// <param name="ClientMaxWindowBits">The largest window the client compresses with.</param>
public sealed record DeflateParameters(bool ServerNoContextTakeover, bool ClientNoContextTakeover, int ServerMaxWindowBits = 15, int ClientMaxWindowBits = 15)
{
    /// <summary>The Sec-WebSocket-Extensions value that states these parameters (what a server answers).</summary>
    public string ToHeader()
    {
        var text = PerMessageDeflate.Name;
        if (ServerNoContextTakeover)
        {
            text += "; server_no_context_takeover";
        }
        if (ClientNoContextTakeover)
        {
            text += "; client_no_context_takeover";
        }
        if (ServerMaxWindowBits < 15)
        {
            text += $"; server_max_window_bits={ServerMaxWindowBits}";
        }
        if (ClientMaxWindowBits < 15)
        {
            text += $"; client_max_window_bits={ClientMaxWindowBits}";
        }
        return text;
    }
}
