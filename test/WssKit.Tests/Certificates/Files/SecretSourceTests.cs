using WssKit.Certificates;
using WssKit.Certificates.Files;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Certificates.Files;

public sealed class SecretSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Read_None_ReturnsNull()
    {
        Assert.False(SecretSource.None.IsSet);
        Assert.Null(SecretSource.None.Read(_ => "unused"));
    }

    [Theory]
    [InlineData("s3cret\n", "s3cret")]
    [InlineData("s3cret\r\nsecond", "s3cret")]
    [InlineData("s3cret", "s3cret")]
    [InlineData(" spaced out ", " spaced out ")]
    public void Read_File_ReturnsItsFirstLineExactly(string content, string expected)
    {
        var path = _temp.Write("password", content);

        Assert.Equal(expected, new SecretSource(FilePath: path).Read());
    }

    [Fact]
    public void Read_MissingFile_NamesTheFile()
    {
        var path = _temp.File("password");

        var exception = Assert.Throws<CertificateException>(() => new SecretSource(FilePath: path).Read());

        Assert.Equal($"cannot read the password file {path}: not found", exception.Message);
    }

    [Fact]
    public void Read_EnvironmentVariable_ReturnsItsValue()
    {
        var source = new SecretSource(EnvironmentVariable: "KEY_PASSWORD");

        Assert.Equal("from-env", source.Read(name => name == "KEY_PASSWORD" ? "from-env" : null));
    }

    [Fact]
    public void Read_UnsetEnvironmentVariable_NamesTheVariable()
    {
        var source = new SecretSource(EnvironmentVariable: "KEY_PASSWORD");

        var exception = Assert.Throws<CertificateException>(() => source.Read(_ => null));

        Assert.Equal("the environment variable KEY_PASSWORD that should hold the password is not set: export it before starting", exception.Message);
    }
}
