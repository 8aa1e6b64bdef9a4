using System.Text.Unicode;
using WssKit.Protocol.Text;

namespace WssKit.Tests.Protocol;

public sealed class Utf8ValidatorTests
{
    public static TheoryData<byte[]> Samples =>
    [
        "plain ascii"u8.ToArray(),
        "κόσμε"u8.ToArray(),
        "€ 𝄞 😀 中文"u8.ToArray(),
        [0xC0, 0x80],                    // overlong NUL
        [0xE0, 0x80, 0xAF],              // overlong '/'
        [0xED, 0xA0, 0x80],              // a surrogate
        [0xF4, 0x90, 0x80, 0x80],        // above U+10FFFF
        [0xF5, 0x80, 0x80, 0x80],        // no such lead byte
        [0x80],                          // a lone continuation byte
        [0xCE, 0xBA, 0xE1],              // cut off
        [0x41, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0x42],
        [0xEF, 0xBF, 0xBF],              // U+FFFF, a valid non-character
        [0xF0, 0x90, 0x80, 0x80, 0xF4, 0x8F, 0xBF, 0xBF],
    ];

    [Fact]
    public void IsValid_TextsUpTo80BytesWithOneOtherSequenceAnywhere_AgreesWithDotNet()
    {
        byte[][] inserts = [[0x80], [0xFF], [0xC3, 0xA9], [0xC3], [0xE2, 0x82, 0xAC], [0xED, 0xA0, 0x80], [0x7F]];
        for (var length = 0; length <= 80; length++)
        {
            var ascii = Enumerable.Repeat((byte)'a', length).ToArray();
            Assert.True(Utf8Validator.IsValid(ascii), $"{length} ASCII bytes");
            foreach (var insert in inserts)
            {
                for (var at = 0; at + insert.Length <= length; at++)
                {
                    var text = (byte[])ascii.Clone();
                    insert.CopyTo(text, at);
                    Assert.True(Utf8.IsValid(text) == Utf8Validator.IsValid(text), $"{Convert.ToHexString(insert)} at {at} of {length}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Append_EverySplitIntoThreePieces_AgreesWithTheWholeCheck(byte[] text)
    {
        var expected = Utf8.IsValid(text);
        for (var first = 0; first <= text.Length; first++)
        {
            for (var second = first; second <= text.Length; second++)
            {
                var validator = new Utf8Validator();
                var valid = validator.Append(text.AsSpan(0, first)) && validator.Append(text.AsSpan(first, second - first))
                    && validator.Append(text.AsSpan(second)) && validator.IsComplete;
                Assert.True(expected == valid, $"split at {first} and {second}");
            }
        }
    }

    [Fact]
    public void Append_InvalidPrefix_FailsAtTheFirstBadByteNotAtTheEnd()
    {
        var validator = new Utf8Validator();
        Assert.True(validator.Append("valid so far "u8));
        Assert.False(validator.Append([0xED, 0xA0])); // a surrogate's lead is already impossible
    }

    [Fact]
    public void Append_PartialSequence_NotCompleteUntilItsLastByte()
    {
        var validator = new Utf8Validator();
        Assert.True(validator.Append([0xF0, 0x9F]));
        Assert.False(validator.IsComplete);
        Assert.True(validator.Append([0x98, 0x80]));
        Assert.True(validator.IsComplete);
    }
}
