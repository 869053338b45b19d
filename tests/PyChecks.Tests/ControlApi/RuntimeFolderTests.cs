using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NUnit.Framework;
using PyChecks.AspNetCore.Listener;

namespace PyChecks.Tests.ControlApi;

/// <summary>
/// The runtime folder, socket and token like a careful daemon: a folder that is a link, another user's or writable by
/// others is refused and left as it is; links at the socket or token path are refused; a second host on the same paths
/// fails naming the first one's pid and touches none of its files; only files this host created are removed. Real
/// folders, modes, owners (uid 65534) and sockets.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed partial class RuntimeFolderTests
{
    private const int Nobody = 65534;

    [Test]
    public void Start_InAFolderThatIsASymlink_IsRefused_AndTheTargetIsLeftAsItWas()
    {
        string root = NewFolder();
        string target = Directory.CreateDirectory(Path.Combine(root, "open")).FullName;
        File.SetUnixFileMode(target, (UnixFileMode)0b111_111_111);
        string link = Path.Combine(root, "pychecks");
        File.CreateSymbolicLink(link, target);

        var e = Assert.Throws<ControlApiStartException>(() => ListenerOnlyHost.StartIn(link).Dispose());
        Assert.That(e!.Message, Does.Contain($"folder {link} is a symbolic link (to {target})"));
        Assert.That(File.GetUnixFileMode(target), Is.EqualTo((UnixFileMode)0b111_111_111), "not chmod-ed into shape");
        Assert.That(Directory.GetFileSystemEntries(target), Is.Empty, "nothing written through the link");
    }

    [Test]
    public void Start_InAFolderOfAnotherUser_IsRefused_AndItsPlantedTokenStaysTheirs()
    {
        string folder = Directory.CreateDirectory(Path.Combine(NewFolder(), "pychecks")).FullName;
        string planted = Path.Combine(folder, "api.token");
        File.WriteAllText(planted, "planted-token-0123456789");
        Assert.That(Chown(folder, Nobody, Nobody), Is.Zero);
        Assert.That(Chown(planted, Nobody, Nobody), Is.Zero);

        var e = Assert.Throws<ControlApiStartException>(() => ListenerOnlyHost.StartIn(folder).Dispose());
        Assert.That(e!.Message, Does.Contain($"folder {folder} belongs to uid {Nobody}, not to this user (uid 0)"));
        Assert.That(File.ReadAllText(planted), Is.EqualTo("planted-token-0123456789"));
        Assert.That(Posix.LStat(folder)!.Value.OwnerId, Is.EqualTo((uint)Nobody), "still theirs");
        Assert.That(Directory.GetFileSystemEntries(folder), Is.EqualTo(new[] { planted }));
    }

    [TestCase(0b111_111_111, "0777")]
    [TestCase(0b111_111_000, "0770")]
    [TestCase(0b111_101_011, "0753")]
    public void Start_InAFolderOthersCanWrite_IsRefused_AndItsModeIsKept(int mode, string octal)
    {
        string folder = Directory.CreateDirectory(Path.Combine(NewFolder(), "pychecks")).FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)mode);

        var e = Assert.Throws<ControlApiStartException>(() => ListenerOnlyHost.StartIn(folder).Dispose());
        Assert.That(e!.Message, Does.Contain($"folder {folder} can be written by other users (mode {octal})").And.Contain($"chmod 700 {folder}"));
        Assert.That(File.GetUnixFileMode(folder), Is.EqualTo((UnixFileMode)mode));
        Assert.That(Directory.GetFileSystemEntries(folder), Is.Empty);
    }

    [Test]
    public void Start_InAMissingFolder_CreatesIt0700_AndAnOwnFolderReadableByOthersIsUsedAsItIs()
    {
        string created = Path.Combine(NewFolder(), "run", "pychecks");
        using (var host = ListenerOnlyHost.StartIn(created))
        {
            Assert.That(File.GetUnixFileMode(created), Is.EqualTo((UnixFileMode)0b111_000_000));
        }

        string readable = Directory.CreateDirectory(Path.Combine(NewFolder(), "pychecks")).FullName;
        File.SetUnixFileMode(readable, (UnixFileMode)0b111_101_101);
        using (var host = ListenerOnlyHost.StartIn(readable))
        {
            Assert.That(File.GetUnixFileMode(host.Info.UnixSocketPath!), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(File.GetUnixFileMode(host.Info.TokenFilePath!), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }

        Assert.That(File.GetUnixFileMode(readable), Is.EqualTo((UnixFileMode)0b111_101_101), "0755 is not writable by others: used, not changed");
    }

    [Test]
    public void Start_WhenTheTokenPathIsASymlink_IsRefused_AndTheLinkedFileIsUntouched()
    {
        string folder = NewFolder();
        string victim = Path.Combine(NewFolder(), "victim.txt");
        File.WriteAllText(victim, "keep me");
        File.CreateSymbolicLink(Path.Combine(folder, "api.token"), victim);

        var e = Assert.Throws<ControlApiStartException>(() => ListenerOnlyHost.StartIn(folder).Dispose());
        Assert.That(e!.Message, Does.Contain($"token file path {Path.Combine(folder, "api.token")} is a symbolic link (to {victim})"));
        Assert.That(File.ReadAllText(victim), Is.EqualTo("keep me"));
        Assert.That(new FileInfo(Path.Combine(folder, "api.token")).LinkTarget, Is.EqualTo(victim), "the link is left in place");
        Assert.That(File.Exists(Path.Combine(folder, "api.sock")), Is.False, "refused before the socket was bound");
    }

    [Test]
    public void Start_WhenTheSocketPathIsASymlink_IsRefused_AndTheLinkIsKept()
    {
        string folder = NewFolder();
        string elsewhere = Path.Combine(NewFolder(), "elsewhere.sock");
        File.CreateSymbolicLink(Path.Combine(folder, "api.sock"), elsewhere);

        var e = Assert.Throws<ControlApiStartException>(() => ListenerOnlyHost.StartIn(folder).Dispose());
        Assert.That(e!.Message, Does.Contain($"socket path {Path.Combine(folder, "api.sock")} is a symbolic link (to {elsewhere})"));
        Assert.That(new FileInfo(Path.Combine(folder, "api.sock")).LinkTarget, Is.EqualTo(elsewhere));
        Assert.That(File.Exists(elsewhere), Is.False);
        Assert.That(File.Exists(Path.Combine(folder, "api.token")), Is.False, "no token written");
    }

    [Test]
    public void ASecondHost_OnTheSameSocket_FailsNamingTheFirstOnesPid_AndLeavesItsFilesAlone()
    {
        string folder = NewFolder();
        using var first = ListenerOnlyHost.StartIn(folder);
        string token = File.ReadAllText(first.Info.TokenFilePath!);
        var socket = Posix.LStat(first.Info.UnixSocketPath!);

        // Another token path, so that only the socket is shared: the socket's lock stops the second host first.
        var e = Assert.Throws<ControlApiStartException>(() => ListenerOnlyHost.StartIn(folder, o => o.TokenFilePath = Path.Combine(folder, "other.token")).Dispose());
        Assert.That(e!.Message, Does.StartWith($"Another PyChecks host (pid {Environment.ProcessId}) is already serving the control API's socket {first.Info.UnixSocketPath}"));
        Assert.That(e.Message, Does.Not.Contain("\n"), "one line");
        Assert.That(File.Exists(Path.Combine(folder, "other.token")), Is.False, "failed before writing its own token");

        // Sharing only the token file is refused the same way.
        var t = Assert.Throws<ControlApiStartException>(() => ListenerOnlyHost.Start(o => { o.UnixSocketPath = Path.Combine(folder, "other.sock"); o.TokenFilePath = first.Info.TokenFilePath; }).Dispose());
        Assert.That(t!.Message, Does.StartWith($"Another PyChecks host (pid {Environment.ProcessId}) is already serving the control API's token file {first.Info.TokenFilePath}"));

        Assert.That(File.ReadAllText(first.Info.TokenFilePath!), Is.EqualTo(token), "the first host's token is unchanged");
        Assert.That(Posix.LStat(first.Info.UnixSocketPath!)!.Value.IsSameFile(socket!.Value), Is.True, "the first host's socket is the same file");
        Assert.That(File.Exists(Path.Combine(folder, "other.sock")), Is.False);
        using var client = first.Client();
        client.Post("reload", "{\"a\":1,\"a\":2}").Expect(HttpStatusCode.BadRequest, "duplicate_member");
        client.Get("nope").Expect(HttpStatusCode.NotFound, "not_found");
    }

    [Test]
    public void Stop_RemovesOnlyTheFilesThisHostCreated_NotOnesThatReplacedThem()
    {
        string folder = NewFolder();
        string socketPath, tokenPath;
        using (var host = ListenerOnlyHost.StartIn(folder))
        {
            socketPath = host.Info.UnixSocketPath!;
            tokenPath = host.Info.TokenFilePath!;
            Assert.That(Directory.GetFileSystemEntries(folder).Select(Path.GetFileName), Is.EquivalentTo(new[] { "api.sock", "api.sock.lock", "api.token", "api.token.lock" }));
            File.Move(socketPath, socketPath + ".moved");
            File.WriteAllText(socketPath, "someone else's file");
            File.Delete(tokenPath);
            File.WriteAllText(tokenPath, "someone else's token");
        }

        Assert.That(File.ReadAllText(socketPath), Is.EqualTo("someone else's file"));
        Assert.That(File.ReadAllText(tokenPath), Is.EqualTo("someone else's token"));
        Assert.That(File.Exists(socketPath + ".lock") || File.Exists(tokenPath + ".lock"), Is.False, "its own lock files are removed");

        string clean = NewFolder();
        using (ListenerOnlyHost.StartIn(clean))
        {
        }

        Assert.That(Directory.GetFileSystemEntries(clean), Is.Empty, "an undisturbed host removes everything it created");
    }

    [Test]
    public void Start_AfterAHostWasKilled_RemovesItsStaleSocket_AndReusesItsLockFile()
    {
        string folder = NewFolder();
        string socketPath = Path.Combine(folder, "api.sock");
        Posix.Close(Posix.BindUnixSocket(socketPath)); // a socket file nobody listens on, as a killed host leaves it
        File.WriteAllText(socketPath + ".lock", "999999\n"); // and its lock file, which no process holds any more
        File.SetUnixFileMode(socketPath + ".lock", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using var host = ListenerOnlyHost.StartIn(folder);
        using var client = host.Client();
        client.Get("nope").Expect(HttpStatusCode.NotFound, "not_found");
    }

    [Test]
    public void Start_OnAStaleSocketOfAnotherUser_IsRefused_AndTheSocketKept()
    {
        string folder = NewFolder();
        string socketPath = Path.Combine(folder, "api.sock");
        Posix.Close(Posix.BindUnixSocket(socketPath));
        Assert.That(Chown(socketPath, Nobody, Nobody), Is.Zero);

        var e = Assert.Throws<ControlApiStartException>(() => ListenerOnlyHost.StartIn(folder).Dispose());
        Assert.That(e!.Message, Does.Contain($"socket path {socketPath} is taken by a file of uid {Nobody}"));
        Assert.That(Posix.LStat(socketPath), Is.Not.Null.And.Property("Value").Property("Kind").EqualTo(FileKind.Socket));
    }

    [Test]
    public void Start_OnASocketAnotherProcessListensOn_NamesItsPid()
    {
        string folder = NewFolder();
        string socketPath = Path.Combine(folder, "api.sock");
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(socketPath));
        live.Listen();

        var e = Assert.Throws<ControlApiStartException>(() => ListenerOnlyHost.StartIn(folder).Dispose());
        Assert.That(e!.Message, Does.StartWith($"Another process (pid {Environment.ProcessId}) is listening on the control API's socket {socketPath}"));
        Assert.That(File.Exists(socketPath), Is.True);
    }

    private static string NewFolder() => Directory.CreateTempSubdirectory("pychecks-run").FullName;

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, int owner, int group);
}
