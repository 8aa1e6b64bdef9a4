namespace WssKit.Certificates;

/// <summary>A certificate could not be loaded or used; the message is one line that names the problem and the fix.</summary>
public sealed class CertificateException : Exception
{
    /// <summary>Creates the exception with a one-line message.</summary>
    public CertificateException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line message and the underlying cause.</summary>
    public CertificateException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
