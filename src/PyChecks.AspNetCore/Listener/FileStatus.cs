namespace PyChecks.AspNetCore.Listener;

/// <summary>What <c>lstat</c>/<c>fstat</c> say about a file: its kind, owner, permission bits and identity (device and inode).</summary>
internal readonly record struct FileStatus(FileKind Kind, uint OwnerId, int Mode, ulong Device, ulong Inode)
{
    /// <summary>The permission bits as the octal a user would type to <c>chmod</c>, e.g. <c>0777</c>.</summary>
    public string OctalMode => "0" + Convert.ToString(Mode & 0xFFF, 8);

    /// <summary>Whether someone other than the owner may create, rename or delete entries in it (a folder) or write it (a file).</summary>
    public bool WritableByOthers => (Mode & 0b000_010_010) != 0;

    /// <summary>Whether both statuses name the same file: the same inode on the same device.</summary>
    public bool IsSameFile(FileStatus other) => Device == other.Device && Inode == other.Inode;
}

/// <summary>The kinds of file the runtime folder may hold, and what matters about the rest.</summary>
internal enum FileKind
{
    Other,
    RegularFile,
    Directory,
    SymbolicLink,
    Socket,
}
