using System.Globalization;

namespace WssKit.Protocol.Compression;

/// <summary>
/// Negotiation of permessage-deflate (RFC 7692 §5 and §7.1) from the Sec-WebSocket-Extensions header: offers with
/// unknown, repeated or out-of-range parameters are declined, and the next offer is tried.
/// </summary>
public static class PerMessageDeflate
{
    /// <summary>The extension's name on the wire.</summary>
    public const string Name = "permessage-deflate";

    /// <summary>
    /// A server's choice among the client's offers. It always asks for no context takeover both ways, which RFC 7692
    /// allows a server to add: no connection then keeps a compressor of its own (hundreds of KiB each).
    /// </summary>
    /// <param name="headerValues">The values of every Sec-WebSocket-Extensions header of the request.</param>
    /// <param name="accepted">The parameters in force, when an offer was accepted.</param>
    /// <returns>Whether an offer was accepted; answer with <see cref="DeflateParameters.ToHeader"/>.</returns>
    public static bool TryAccept(IEnumerable<string?> headerValues, out DeflateParameters accepted)
    {
        foreach (var offer in Offers(headerValues))
        {
            if (Parse(offer, requireValueForClientBits: false) is { } requested && requested.ServerMaxWindowBits >= 9)
            {
                accepted = new DeflateParameters(ServerNoContextTakeover: true, ClientNoContextTakeover: true, requested.ServerMaxWindowBits);
                return true;
            }
        }
        accepted = null!;
        return false;
    }

    /// <summary>What a client offers: permessage-deflate with client_max_window_bits, so the server may limit our window.</summary>
    public static string ClientOffer => $"{Name}; client_max_window_bits";

    /// <summary>Reads a server's answer to <see cref="ClientOffer"/>; null when it is not one a client may accept.</summary>
    public static DeflateParameters? ParseResponse(string value)
    {
        var offers = Offers([value]).ToList();
        return offers.Count == 1 ? Parse(offers[0], requireValueForClientBits: true) : null;
    }

    /// <summary>The permessage-deflate elements of the headers, each as its list of (name, value) parameters.</summary>
    private static IEnumerable<List<(string Name, string? Value)>> Offers(IEnumerable<string?> headerValues)
    {
        foreach (var header in headerValues)
        {
            foreach (var element in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = element.Split(';', StringSplitOptions.TrimEntries);
                if (!parts[0].Equals(Name, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                yield return [.. parts.Skip(1).Where(part => part.Length > 0).Select(part =>
                {
                    var equals = part.IndexOf('=', StringComparison.Ordinal);
                    return equals < 0 ? (part.ToLowerInvariant(), (string?)null) : (part[..equals].Trim().ToLowerInvariant(), part[(equals + 1)..].Trim().Trim('"'));
                })];
            }
        }
    }

    private static DeflateParameters? Parse(List<(string Name, string? Value)> parameters, bool requireValueForClientBits)
    {
        if (parameters.Select(parameter => parameter.Name).Distinct().Count() != parameters.Count)
        {
            return null;
        }
        bool serverNoContext = false, clientNoContext = false;
        int serverBits = 15, clientBits = 15;
        foreach (var (name, value) in parameters)
        {
            switch (name)
            {
                case "server_no_context_takeover" when value is null:
                    serverNoContext = true;
                    break;
                case "client_no_context_takeover" when value is null:
                    clientNoContext = true;
                    break;
                case "server_max_window_bits" when WindowBits(value) is { } bits:
                    serverBits = bits;
                    break;
                case "client_max_window_bits" when value is null && !requireValueForClientBits:
                    break;
                case "client_max_window_bits" when WindowBits(value) is { } bits:
                    clientBits = bits;
                    break;
                default:
                    return null;
            }
        }
        return new DeflateParameters(serverNoContext, clientNoContext, serverBits, clientBits);
    }

    private static int? WindowBits(string? value)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) && bits is >= 8 and <= 15 && value!.Length <= 2 ? bits : null;
}
