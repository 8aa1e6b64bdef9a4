using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace WssKit.Certificates.DevCa;

/// <summary>
/// The X.509 name constraints extension (RFC 5280 §4.2.1.10), permitted subtrees only. A development CA that
/// carries it can only vouch for local names, so a copy of its key cannot be used to impersonate real sites.
/// </summary>
internal static class NameConstraints
{
    private const string Oid = "2.5.29.30";

    /// <summary>Builds a critical extension permitting the given DNS subtrees and IP networks (address, prefix length).</summary>
    public static X509Extension Permitting(IEnumerable<string> dnsNames, IEnumerable<(IPAddress Network, int PrefixLength)> networks)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
        {
            foreach (var name in dnsNames)
            {
                using (writer.PushSequence())
                {
                    writer.WriteCharacterString(UniversalTagNumber.IA5String, name, new Asn1Tag(TagClass.ContextSpecific, 2));
                }
            }
            foreach (var (network, prefixLength) in networks)
            {
                using (writer.PushSequence())
                {
                    var address = network.GetAddressBytes();
                    writer.WriteOctetString([.. address, .. Mask(address.Length, prefixLength)], new Asn1Tag(TagClass.ContextSpecific, 7));
                }
            }
        }
        return new X509Extension(Oid, writer.Encode(), critical: true);
    }

    /// <summary>The permitted DNS subtrees of a certificate's name constraints (empty when it has none).</summary>
    public static IReadOnlyList<string> PermittedDnsNames(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions[Oid];
        if (extension is null)
        {
            return [];
        }
        var names = new List<string>();
        var subtrees = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence()
            .ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
        while (subtrees.HasData)
        {
            var subtree = subtrees.ReadSequence();
            var tag = subtree.PeekTag();
            if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2)))
            {
                names.Add(subtree.ReadCharacterString(UniversalTagNumber.IA5String, tag));
            }
        }
        return names;
    }

    private static byte[] Mask(int length, int prefixLength)
    {
        var mask = new byte[length];
        for (var bit = 0; bit < prefixLength; bit++)
        {
            mask[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }
        return mask;
    }
}
