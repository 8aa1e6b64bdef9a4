using System.Runtime.Versioning;

// The functional tests drive Linux tools (openssl, tshark, unshare, kill) and Linux peers.
[assembly: SupportedOSPlatform("linux")]
