namespace WssKit.Certificates;

/// <summary>Turns file-system exceptions into the short reason people expect ("not found", "permission denied").</summary>
internal static class Reason
{
    public static string Of(Exception exception) => exception switch
    {
        FileNotFoundException or DirectoryNotFoundException => "not found",
        UnauthorizedAccessException => "permission denied",
        _ => exception.Message.TrimEnd('.'),
    };
}
