using System.Buffers.Binary;
using System.Text;
using WssKit.Protocol;
using WssKit.Protocol.Framing;

namespace WssKit.Tests.Protocol;

/// <summary>Builds frames bit by bit, valid or not, and reads a byte stream with a <see cref="MessageReader"/>.</summary>
internal static class Wire
{
    public const uint Key = 0x3D21FA37;

    /// <summary>A frame with every bit under the caller's control; masked as a client sends it unless told otherwise.</summary>
    public static byte[] Frame(Opcode opcode, ReadOnlySpan<byte> payload, bool fin = true, bool masked = true, int rsv = 0)
    {
        var bytes = new byte[FrameHeader.MaxLength + payload.Length];
        var header = FrameHeader.Write(bytes, opcode, payload.Length, fin, mask: masked ? Key : null);
        bytes[0] |= (byte)(rsv << 4);
        var body = bytes.AsSpan(header, payload.Length);
        payload.CopyTo(body);
        if (masked)
        {
            Masking.Apply(body, Key, 0);
        }
        return bytes[..(header + payload.Length)];
    }

    public static byte[] Text(string text, bool fin = true, bool masked = true) => Frame(Opcode.Text, Encoding.UTF8.GetBytes(text), fin, masked);

    public static byte[] Close(int code, string reason = "", bool masked = true)
    {
        var payload = new byte[2 + Encoding.UTF8.GetByteCount(reason)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        Encoding.UTF8.GetBytes(reason, payload.AsSpan(2));
        return Frame(Opcode.Close, payload, masked: masked);
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(part => part)];

    /// <summary>What a reader produced: kind, payload, code and reason.</summary>
    public sealed record Item(ReadKind Kind, byte[] Payload, int Code, string? Reason)
    {
        public string Text => Encoding.UTF8.GetString(Payload);
    }

    /// <summary>Feeds <paramref name="stream"/> to a reader in the given pieces (all at once by default), keeping unconsumed bytes as a transport would.</summary>
    public static List<Item> Read(byte[] stream, Role role = Role.Server, long maxMessageSize = 1 << 20, IEnumerable<int>? pieceSizes = null)
    {
        using var reader = new MessageReader(role, new ProtocolLimits { MaxMessageSize = maxMessageSize });
        var items = new List<Item>();
        var pending = new List<byte>();
        var position = 0;
        foreach (var size in (pieceSizes ?? [stream.Length]).Append(int.MaxValue))
        {
            var take = Math.Min(size, stream.Length - position);
            pending.AddRange(stream.AsSpan(position, take).ToArray());
            position += take;
            var buffer = pending.ToArray();
            var offset = 0;
            while (true)
            {
                var item = reader.Read(buffer.AsSpan(offset), out var used);
                offset += used;
                if (item.Kind == ReadKind.NeedMore)
                {
                    break;
                }
                items.Add(new Item(item.Kind, item.Payload.ToArray(), item.CloseCode, item.Reason));
                if (item.Kind is ReadKind.Close or ReadKind.Error)
                {
                    return items;
                }
            }
            pending = [.. buffer.AsSpan(offset).ToArray()];
            if (position == stream.Length)
            {
                break;
            }
        }
        return items;
    }
}
