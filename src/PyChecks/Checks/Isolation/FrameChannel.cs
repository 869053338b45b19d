using System.Buffers.Binary;
using System.Net.Sockets;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// One end of the Unix socket between a host and its worker: frames go out whole under a lock (any thread may send),
/// and come in on one reading thread through a buffer, so that a batch of small frames costs one system call.
/// </summary>
internal sealed class FrameChannel(Socket socket) : IDisposable
{
    private readonly Lock _sendLock = new();
    private byte[] _in = new byte[64 << 10];
    private int _start;
    private int _end;
    private int _disposed;

    /// <summary>The socket, for its peer's credentials.</summary>
    public Socket Socket => socket;

    /// <summary>Sends whole frames. Throws <see cref="SocketException"/> or <see cref="ObjectDisposedException"/> when the peer is gone.</summary>
    public void Send(ReadOnlySpan<byte> frames)
    {
        lock (_sendLock)
        {
            while (!frames.IsEmpty)
            {
                int sent = socket.Send(frames, SocketFlags.None);
                frames = frames[sent..];
            }
        }
    }

    /// <summary>Sends the frames <paramref name="writer"/> holds, then clears it.</summary>
    public void Send(FrameWriter writer)
    {
        Send(writer.Written);
        writer.Clear();
    }

    /// <summary>
    /// Reads the next frame; <see langword="false"/> at the end of the stream. The payload is valid until the next call.
    /// A frame longer than the protocol allows is an <see cref="InvalidDataException"/>.
    /// </summary>
    public bool TryReceive(out MessageType type, out ReadOnlyMemory<byte> payload)
    {
        type = default;
        payload = default;
        if (!Fill(4))
        {
            return false;
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(_in.AsSpan(_start));
        if (length is < 1 or > WorkerProtocol.MaxFrameBytes)
        {
            throw new InvalidDataException($"a worker frame announces {length} bytes; the protocol allows 1 to {WorkerProtocol.MaxFrameBytes}");
        }

        if (!Fill(4 + length))
        {
            throw new InvalidDataException("the peer closed the connection in the middle of a frame");
        }

        type = (MessageType)_in[_start + 4];
        payload = _in.AsMemory(_start + 5, length - 1);
        _start += 4 + length;
        return true;
    }

    private bool Fill(int count)
    {
        if (_end - _start >= count)
        {
            return true;
        }

        if (_start > 0)
        {
            Buffer.BlockCopy(_in, _start, _in, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (count > _in.Length)
        {
            Array.Resize(ref _in, Math.Max(count, _in.Length * 2));
        }

        while (_end < count)
        {
            int read = socket.Receive(_in.AsSpan(_end), SocketFlags.None);
            if (read == 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already closed by the peer.
            }

            socket.Dispose();
        }
    }
}
