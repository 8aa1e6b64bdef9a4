namespace WssKit.Server.WebSockets;

/// <summary>/echo: every message comes back as it was sent, text as text, binary as binary.</summary>
internal static class EchoEndpoint
{
    public static async Task<int> ConverseAsync(Session session, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var message = await session.ReceiveAsync(cancellationToken);
            if (message.IsClose)
            {
                return message.CloseCode;
            }
            await session.SendAsync(message.Payload, message.Type, cancellationToken);
        }
    }
}
