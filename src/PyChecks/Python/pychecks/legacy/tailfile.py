"""``TailFile``: follow a growing log file line by line, surviving rotation and truncation, as Datadog's toolkit does.

``tail()`` is a generator: each ``next()`` reads what was appended since the last one, calls
``callback(line)`` for each new line (without its newline), and yields ``True`` when it reaches the
end of the file (and, with ``line_by_line``, also after each line the callback accepted by returning
a true value). Between reads the file is reopened, so a file replaced by log rotation (new inode),
truncated, or rewritten from its start (its first 16 bytes changed) is read again from its start.
"""

import binascii
import os

from ..utils import ensure_bytes


class TailFile(object):
    """Follows ``path``, calling ``callback(line)`` for each new line; ``logger`` receives debug lines."""

    CRC_SIZE = 16

    def __init__(self, logger, path, callback):
        self._path = path
        self._f = None
        self._inode = None
        self._size = 0
        self._crc = None
        self._log = logger
        self._callback = callback

    def _head_crc(self, size):
        if size < self.CRC_SIZE:
            return None
        with open(self._path, 'r') as head:
            return binascii.crc32(ensure_bytes(head.read(self.CRC_SIZE)))

    def _open_file(self, move_end=False, pos=False):
        reopening = self._f is not None
        if reopening:
            # Reopen at every read: a rotated file is a new inode at the same path.
            self._f.close()
            self._f = None

        stat = os.stat(self._path)
        inode, size = stat.st_ino, stat.st_size
        crc = self._head_crc(size)
        self._log.debug('Open file. path=%s, cur_inode=%s, new_inode=%s, cur_size=%s, new_size=%s, move_end=%s, pos=%s',
                        self._path, self._inode, inode, self._size, size, move_end, pos)

        if reopening:
            if self._inode is not None and inode != self._inode:
                self._log.debug('File removed, reopening')
                move_end = pos = False
            elif self._size > 0 and size < self._size:
                self._log.debug('File truncated, reopening')
                move_end = pos = False
            if crc is not None and self._crc is not None and crc != self._crc:
                self._log.debug('Beginning of file modified, reopening')
                move_end = pos = False

        self._inode, self._size, self._crc = inode, size, crc
        self._f = open(self._path, 'r')
        if move_end:
            self._log.debug('Opening file %s', self._path)
            self._f.seek(0, os.SEEK_END)
        elif pos:
            self._log.debug('Reopening file %s at %s', self._path, pos)
            self._f.seek(pos)
        return True

    def tail(self, line_by_line=True, move_end=True):
        """The generator described in the module; ``move_end`` starts at the end of the file (only new lines)."""
        try:
            self._open_file(move_end=move_end)
            while True:
                pos = self._f.tell()
                line = self._f.readline()
                if not line:
                    yield True
                    self._open_file(move_end=False, pos=pos)
                    continue
                # A truncation while the file was written can leave NUL holes.
                line = line.strip(chr(0))
                if self._callback(line.rstrip('\n')) and line_by_line:
                    yield True
                    self._open_file(move_end=False, pos=self._f.tell())
        except Exception as error:
            # The toolkit logs and ends the generator; a generator cannot raise StopIteration (PEP 479).
            self._log.exception(error)
            return

    def close(self):
        """Close the file; the next ``tail()`` opens it again."""
        if self._f:
            self._f.close()
            self._f = None
