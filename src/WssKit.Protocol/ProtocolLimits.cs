namespace WssKit.Protocol;

/// <summary>What a peer may make this end hold or do.</summary>
public sealed record ProtocolLimits
{
    /// <summary>The largest message accepted, after decompression; larger ones fail the connection with 1009. Default 1 MiB.</summary>
    public long MaxMessageSize { get; init; } = 1 << 20;
}
