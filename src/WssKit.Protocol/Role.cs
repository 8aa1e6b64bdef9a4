namespace WssKit.Protocol;

/// <summary>Which end of the connection this is: it decides the masking rules (RFC 6455 §5.1).</summary>
public enum Role
{
    /// <summary>Receives masked frames, sends unmasked ones.</summary>
    Server,
    /// <summary>Receives unmasked frames, sends masked ones.</summary>
    Client,
}
