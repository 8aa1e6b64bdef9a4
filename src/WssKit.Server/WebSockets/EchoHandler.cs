namespace WssKit.Server.WebSockets;

/// <summary>/echo: every message comes back as it was sent, text as text, binary as binary.</summary>
internal sealed class EchoHandler : IWebSocketHandler
{
    public static readonly EchoHandler Instance = new();

    public void OnMessage(IWebSocketSession session, ReadOnlySpan<byte> payload, bool text) => session.Send(payload, text);
}
