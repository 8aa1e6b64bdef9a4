namespace WssKit.Server.Hosting;

/// <summary>The server could not start (a port could not be bound, ...); the message is one line with the fix.</summary>
public sealed class ServerStartException(string message, Exception? innerException = null) : Exception(message, innerException);
