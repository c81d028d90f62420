// Unix sockets, POSIX signals, Unix file modes.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
