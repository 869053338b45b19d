namespace PyChecks.AspNetCore.Listener;

/// <summary>
/// What <c>lstat</c>/<c>fstat</c> say about a file: its kind, owner, permission bits and identity (device, inode and,
/// where the file system keeps it, birth time in nanoseconds: an inode number is reused as soon as its file is deleted).
/// </summary>
internal readonly record struct FileStatus(FileKind Kind, uint OwnerId, int Mode, ulong Device, ulong Inode, long? BirthTime = null)
{
    /// <summary>The permission bits as the octal a user would type to <c>chmod</c>, e.g. <c>0777</c>.</summary>
    public string OctalMode => "0" + Convert.ToString(Mode & 0xFFF, 8);

    /// <summary>Whether someone other than the owner may create, rename or delete entries in it (a folder) or write it (a file).</summary>
    public bool WritableByOthers => (Mode & 0b000_010_010) != 0;

    /// <summary>Whether both statuses name the same file: the same inode on the same device, born at the same time.</summary>
    public bool IsSameFile(FileStatus other) => Device == other.Device && Inode == other.Inode && (BirthTime is null || other.BirthTime is null || BirthTime == other.BirthTime);
}
