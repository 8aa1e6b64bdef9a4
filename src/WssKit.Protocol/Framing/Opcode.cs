namespace WssKit.Protocol.Framing;

/// <summary>The frame opcodes of RFC 6455 §5.2; the others are reserved and fail the connection.</summary>
public enum Opcode : byte
{
    /// <summary>A later fragment of a message.</summary>
    Continuation = 0x0,
    /// <summary>The first frame of a UTF-8 text message.</summary>
    Text = 0x1,
    /// <summary>The first frame of a binary message.</summary>
    Binary = 0x2,
    /// <summary>Starts or answers the closing handshake.</summary>
    Close = 0x8,
    /// <summary>Asks for a pong.</summary>
    Ping = 0x9,
    /// <summary>Answers a ping, or a one-way heartbeat.</summary>
    Pong = 0xA,
}

/// <summary>Facts about opcodes.</summary>
public static class Opcodes
{
    /// <summary>Whether the opcode is a control frame (close, ping, pong): at most 125 bytes and never fragmented.</summary>
    public static bool IsControl(Opcode opcode) => ((byte)opcode & 0x8) != 0;

    /// <summary>Whether the opcode is one RFC 6455 defines.</summary>
    public static bool IsDefined(Opcode opcode) => opcode is Opcode.Continuation or Opcode.Text or Opcode.Binary or Opcode.Close or Opcode.Ping or Opcode.Pong;
}
