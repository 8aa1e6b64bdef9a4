namespace WssKit.Protocol.Framing;

/// <summary>Close status codes (RFC 6455 §7.4) and which of them may travel in a close frame.</summary>
public static class CloseCodes
{
    public const int NormalClosure = 1000;
    public const int GoingAway = 1001;
    public const int ProtocolError = 1002;
    public const int UnsupportedData = 1003;
    /// <summary>No code was given: never sent, reported when a close frame has no payload.</summary>
    public const int NoStatus = 1005;
    /// <summary>The connection ended without a close frame: never sent.</summary>
    public const int Abnormal = 1006;
    public const int InvalidPayload = 1007;
    public const int PolicyViolation = 1008;
    public const int MessageTooBig = 1009;
    public const int MandatoryExtension = 1010;
    public const int InternalError = 1011;
    public const int ServiceRestart = 1012;
    public const int TryAgainLater = 1013;
    public const int BadGateway = 1014;

    /// <summary>The longest close reason: a control frame carries 125 bytes, 2 of them the code.</summary>
    public const int MaxReasonBytes = 123;

    /// <summary>
    /// Whether a peer may send <paramref name="code"/> in a close frame: the codes RFC 6455 and the IANA registry
    /// define for the wire (1000–1003, 1007–1014), and 3000–4999 for libraries and applications.
    /// </summary>
    public static bool IsValidOnTheWire(int code) => code switch
    {
        >= 1000 and <= 1003 => true,
        >= 1007 and <= 1014 => true,
        >= 3000 and <= 4999 => true,
        _ => false,
    };
}
