# bonbench python-sandbox fork server (stdlib only). Started by fork-server.ts (python3 -I -S);
# one candidate at a time.
#
# Protocol: requests arrive on fd 3, responses leave on fd 4; each message is a 4-byte big-endian
# length and that many bytes of UTF-8 JSON. The first response is a hello describing the isolation
# in force. A candidate never sees fds 3 and 4: the forker closes them when it starts.
#
# Per candidate: a fork by the forker (a child of this server, forked once it is warm: the
# interpreter and the preloaded modules are already loaded), its own process group, stdin on
# /dev/null, stdout/stderr on pipes read here and capped, a fresh empty folder, RLIMIT_AS/CPU/
# NPROC/FSIZE/CORE, an unprivileged uid when this server runs as root, and a wall-clock deadline
# after which its whole group is SIGKILLed.
#
# Speed (see README): a candidate's cost is mostly copy-on-write faults, one per page that the
# child, or the process it was forked from, writes to after the fork. So the forking is done by the
# forker, whose loop writes few pages, not by this server (which writes many per candidate); the
# child does as little Python as it can before the program runs (the environment is set in the
# forker, the limits worked out here, the libc prctl resolved and the compiler set up once); no
# module with an after-fork hook is loaded (see as_site_would); the heap is frozen (a collection in
# the child does not walk, and so copy, every object of ours); and one folder per server is emptied
# and checked after each candidate instead of a folder made and removed each time.
import _signal
import builtins
import gc
import json
import marshal
import re
import math
import os
import resource
import select
import shutil
import signal
import struct
import sys
import time
import traceback


def as_site_would():
    # Started with -S (fork-server.ts): site.main(), as python3 runs it at start-up — site-packages
    # and the folders its .pth files name on sys.path (a venv's too), exit()/quit()/help()/copyright
    # in builtins, sitecustomize — but without the .pth files' `import` lines. Those (setuptools'
    # distutils hack; here a CA injector that imports certifi) import `threading` and `random`,
    # whose after-fork hooks then run in every child: ≈165 page copies per candidate, a fifth of
    # all. A program that imports either gets its own, fresh, as under python3.
    if not sys.flags.no_site:
        return
    import io
    import site

    def paths_only(sitedir, name, known_paths):
        # site.addpackage, but a line that starts with `import` is skipped, not run.
        reset = known_paths is None
        if reset:
            known_paths = site._init_pathinfo()
        try:
            f = io.TextIOWrapper(io.open_code(os.path.join(sitedir, name)), encoding='locale')
        except OSError:
            return None if reset else known_paths
        with f:
            try:
                for line in f:
                    if line.startswith('#') or not line.strip() or line.startswith(('import ', 'import\t')):
                        continue
                    folder, case = site.makepath(sitedir, line.rstrip())
                    if case not in known_paths and os.path.exists(folder):
                        sys.path.append(folder)
                        known_paths.add(case)
            except Exception:
                pass  # python3 reports the line and ignores the rest of the file
        return None if reset else known_paths

    original = site.addpackage
    site.addpackage = paths_only
    try:
        site.main()
    finally:
        site.addpackage = original  # no function of ours left where a candidate finds it


as_site_would()

# Modules HumanEval-style programs import: loaded once here so a candidate's import is a dict lookup.
# Not `random`, `statistics` (imports random), `threading` or `tempfile` (imports random): each
# registers an after-fork hook that would run in every child (see as_site_would); 3 candidates in
# 100 import random, fewer the others.
PRELOAD = ['re', 'collections', 'itertools', 'functools', 'typing', 'heapq', 'bisect', 'string', 'hashlib', 'fractions',
           'decimal', 'operator', 'copy', 'datetime', 'atexit', 'io', 'socket']
for _name in PRELOAD:
    try:
        __import__(_name)
    except Exception:
        pass
import atexit  # noqa: E402
import socket  # noqa: E402

REQ_FD, RES_FD = 3, 4


TESTS_FILE = '<bonbench tests>'  # the tests' filename in tracebacks: no file of that name exists


class Refused(PermissionError):
    pass


class FrameRefused(ValueError):
    # sys._getframe refused: a ValueError, as when the stack is not that deep, so the stdlib's own
    # fallbacks (namedtuple's, typing's and enum's module name, logging's caller) take over.
    pass


def make_guard():
    """Installs the audit hook of every candidate; returns arm(tests_scope), which switches it on.

    Installed here, in the server (hooks cannot be removed, and a fork keeps them); off until a
    child arms it, once, before any code of the candidate runs, and never off again in that child.
    Armed, it refuses what reaches frames or raw memory — the harness's frames hold the completion
    token, the tests' frames their globals: sys._getframe, sys._current_frames/_current_exceptions,
    sys.settrace/setprofile, frame attributes (tb_frame, gi_frame, f_back, f_code, ...), a test
    function's __code__, gc.get_objects/get_referrers/get_referents, every ctypes event, another
    audit hook (it would see the tests' code being compiled and run), importing ctypes, cffi, the
    _test* modules or subinterpreters, and opening anything under /proc (/proc/self/mem) or a
    folder (a dir_fd for a relative path into /proc), a symlink into /proc or to /, a hard link.
    Its state lives in this closure: no module global, nothing on a candidate's path.

    It also serves two 'bonbench.' events, armed or not (anyone may raise them: they do nothing a
    candidate could not do itself): _signal.signal and _imp.create_builtin/create_dynamic go through
    the hook, which holds the originals, so no Python object the candidate can reach holds them.
    A signal handler gets the frame that was running (an unaudited way to a frame): handlers are
    wrapped to get None; _signal cannot be made anew (create_builtin refuses it)."""
    import _imp
    armed = [False]
    tests = [None]
    raw_signal = _signal.signal
    raw_create_builtin = _imp.create_builtin
    raw_create_dynamic = _imp.create_dynamic
    default_int_handler = _signal.default_int_handler
    function = type(make_guard)
    refused = frozenset(('sys._getframe', 'sys._current_frames', 'sys._current_exceptions', 'sys.settrace', 'sys.setprofile',
                         'sys.addaudithook', 'gc.get_objects', 'gc.get_referrers', 'gc.get_referents', 'os.link'))
    frame_attrs = frozenset(('tb_frame', 'gi_frame', 'cr_frame', 'ag_frame', 'f_back', 'f_code', 'gi_code', 'cr_code', 'ag_code',
                             'f_locals', 'f_globals', 'f_trace'))
    blocked = frozenset(('ctypes', '_ctypes', 'cffi', '_cffi_backend', '_testcapi', '_testinternalcapi', '_testmultiphase',
                         '_testbuffer', '_testclinic', '_testimportmultiple', '_testsinglephase', '_xxsubinterpreters',
                         '_xxinterpchannels', '_xxtestfuzz', '_signal'))
    realpath, join, dirname, isdir, getcwd, fsdecode = (os.path.realpath, os.path.join, os.path.dirname, os.path.isdir,
                                                       os.getcwd, os.fsdecode)

    def refuse(what):
        raise Refused(1, 'bonbench sandbox: %s is refused while the candidate and its tests run' % what)

    def resolved(path, base=None):
        # The path as the kernel would follow it now, or None when we cannot tell (then refused).
        if type(path) is bytes:
            path = fsdecode(path)
        elif type(path) is not str:
            pathlib = sys.modules.get('pathlib')  # a PathLike of the candidate's could answer twice
            if pathlib is None or type(path) not in (pathlib.PosixPath, pathlib.PurePosixPath):
                return None
            path = str(path)
        if '\0' in path:
            return ''  # open fails on it anyway
        try:
            return realpath(join(base if base is not None else getcwd(), path))
        except (OSError, ValueError):
            return None

    def into_proc(full):
        return full is None or full == '/' or full == '/proc' or full.startswith('/proc/')

    def blocked_module(name):
        return type(name) is not str or any(part in blocked for part in name.split('.'))

    def serve(event, args):
        if event == 'bonbench.signal':
            signalnum, handler, box = args
            if callable(handler) and handler is not default_int_handler:
                user = handler
                handler = lambda signum, frame: user(signum, None)  # noqa: E731
            box.append(raw_signal(signalnum, handler))
        elif event == 'bonbench.create_builtin':
            spec, box = args
            if spec.name == '_signal' or (armed[0] and blocked_module(spec.name)):
                raise ImportError('bonbench sandbox: %s cannot be loaded again' % spec.name)
            box.append(raw_create_builtin(spec))
        elif event == 'bonbench.create_dynamic':
            spec, box = args[0], args[-1]
            origin = getattr(spec, 'origin', None)
            if armed[0] and (blocked_module(spec.name) or type(origin) is not str
                             or os.path.basename(origin).split('.')[0] in blocked):
                raise ImportError('bonbench sandbox: %s cannot be loaded while the candidate runs' % spec.name)
            box.append(raw_create_dynamic(*args[:-1]))

    def hook(event, args):
        if event[:9] == 'bonbench.':
            return serve(event, args)
        if not armed[0]:
            return
        if event == 'object.__getattr__':
            name = args[1]
            if name in frame_attrs or (name == '__code__' and type(args[0]) is function and args[0].__globals__ is tests[0]):
                refuse('reading %s' % name)
        elif event in refused:
            if event == 'sys._getframe':
                raise FrameRefused('bonbench sandbox: sys._getframe is refused while the candidate and its tests run')
            if event == 'sys.addaudithook':
                raise RuntimeError('bonbench sandbox: no other audit hook')  # refused silently, as documented
            refuse(event)
        elif event[:7] == 'ctypes.':
            refuse(event)
        elif event == 'import':
            if blocked_module(args[0]):
                refuse('importing %s' % args[0])
        elif event == 'open':
            path = args[0]
            if type(path) is int:
                return
            full = resolved(path)
            if into_proc(full) or isdir(full):
                refuse('opening %r' % (path,))
        elif event == 'os.symlink':
            src, dst, dir_fd = args
            if dir_fd not in (None, -1):
                refuse('os.symlink with dir_fd')
            where = resolved(dst)
            if where is None or into_proc(resolved(src, dirname(where))):
                refuse('a symlink to %r' % (src,))

    def arm(tests_scope):
        tests[0] = tests_scope
        armed[0] = True

    def create_builtin(spec):
        box = []
        sys.audit('bonbench.create_builtin', spec, box)
        return box[0]

    def create_dynamic(spec, *file):
        box = []
        sys.audit('bonbench.create_dynamic', spec, *file, box)
        return box[0]

    def signal_(signalnum, handler):
        box = []
        sys.audit('bonbench.signal', signalnum, handler, box)
        return box[0]

    sys.addaudithook(hook)
    _imp.create_builtin = create_builtin
    _imp.create_dynamic = create_dynamic
    _signal.signal = signal_
    try:
        del signal.signal.__wrapped__  # functools.wraps kept the original _signal.signal there
    except AttributeError:
        pass
    return arm


def temporary_root():
    # tempfile.gettempdir()'s choice, without importing tempfile (see PRELOAD).
    for folder in [os.environ.get(v) for v in ('TMPDIR', 'TEMP', 'TMP')] + ['/tmp', '/var/tmp', '/usr/tmp', os.getcwd()]:
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            return os.path.abspath(folder)
    raise OSError('no usable temporary directory')


TMP_ROOT = temporary_root()
SIGKILL, SIGTERM, SIGINT, SIGPIPE = int(signal.SIGKILL), int(signal.SIGTERM), int(signal.SIGINT), int(signal.SIGPIPE)
CONFIG = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
SANDBOX_UID = CONFIG.get('uid')  # an unprivileged uid for candidates (only when we are root)
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 1, 4, 36
CHILDREN = '/proc/self/task/%d/children' % os.getpid()
current_child = [0]
forker = [None]  # the Forker, once started
_prctl = []


def libc():
    import ctypes
    return ctypes.CDLL(None, use_errno=True)


def prctl(option, arg):
    # Resolved once, here: a ctypes.CDLL in every child costs it a dlopen and hundreds of page copies.
    if not _prctl:
        import ctypes
        f = libc().prctl
        f.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        f.restype = ctypes.c_int
        _prctl.append(f)
    return _prctl[0](option, arg, 0, 0, 0)


def set_pdeathsig(sig):
    try:
        prctl(PR_SET_PDEATHSIG, int(sig))
    except Exception:
        pass


def kill_group(pid):
    if pid:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


def sweep_uid():
    # kill(-1) from a process running as the sandbox uid reaches every process of that uid and
    # nothing else: it ends grandchildren that left the candidate's process group (setsid).
    if SANDBOX_UID is None:
        return
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(SANDBOX_UID)
            os.setuid(SANDBOX_UID)
            os.kill(-1, signal.SIGKILL)
        except BaseException:
            pass
        os._exit(0)
    os.waitpid(pid, 0)


def leftovers():
    # As a child subreaper we inherit every orphaned descendant of a candidate: any child of ours
    # now is one that outlived its candidate (killpg missed it only if it left the group).
    try:
        fd = os.open(CHILDREN, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return [b'unknown']
    try:
        return os.read(fd, 65536).split()
    except OSError:
        return [b'unknown']
    finally:
        os.close(fd)


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def clean_up_after(pid):
    kill_group(pid)
    # Orphans become our children; each one killed may hand us its own children, hence rounds.
    for _ in range(32):
        left = [int(p) for p in leftovers() if p.isdigit() and int(p) != forker_pid()]
        if not left:
            break
        sweep_uid()
        for other in left:
            try:
                os.kill(other, signal.SIGKILL)
            except OSError:
                pass
            try:
                os.waitpid(other, 0)
            except ChildProcessError:
                pass
    reap()


def forker_pid():
    return forker[0].pid if forker[0] is not None else 0


def end(status):
    # Exit only once the candidate is dead, so the host may report "nothing left" when we are gone:
    # its group killed, the forker (its parent) killed and reaped, which hands the candidate, if
    # it still lingers, to us (a subreaper), to kill and reap with any other leftover.
    pid = current_child[0]
    kill_group(pid)
    if forker[0] is not None:
        forker[0].stop()
    clean_up_after(pid)
    sweep_uid()
    folder.remove()
    os._exit(status)


def on_term(signum, frame):
    end(0)


def isolate_network():
    # A network namespace of our own with no interface but a down loopback: every candidate
    # inherits it. Needs root (CAP_SYS_ADMIN) or unprivileged user namespaces.
    CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000
    try:
        c = libc()
        if c.unshare(CLONE_NEWNET) == 0:
            return 'namespace'
        if SANDBOX_UID is None and c.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
            return 'user-namespace'
    except Exception:
        pass
    return 'socket-patch'


def reach_stdlib():
    # Candidates run as an unprivileged uid, which must still import the stdlib. When the
    # interpreter lives under a folder closed to others (pyenv in /root, mode 0700), cover that
    # folder in a mount namespace of our own with an empty tmpfs holding only the way to the
    # interpreter: candidates can import, and see nothing else of it.
    stdlib = os.path.realpath(os.path.dirname(os.__file__))
    parts = stdlib.split('/')
    for i in range(2, len(parts)):
        closed = '/'.join(parts[:i])
        if os.stat(closed).st_mode & 0o001 == 0:
            break
    else:
        return 'open'
    CLONE_NEWNS, MS_BIND, MS_REC, MS_PRIVATE = 0x00020000, 4096, 16384, 1 << 18
    c = libc()
    inner = os.path.join(closed, parts[i])
    if c.unshare(CLONE_NEWNS) != 0 or c.mount(b'none', b'/', None, MS_REC | MS_PRIVATE, None) != 0:
        return None
    keep = os.open(inner, os.O_PATH | os.O_DIRECTORY)  # in the new namespace: a bind source must be
    try:
        if c.mount(b'tmpfs', closed.encode(), b'tmpfs', 0, b'mode=755,size=64k') != 0:
            return None
        os.mkdir(inner)
        if c.mount(('/proc/self/fd/%d' % keep).encode(), inner.encode(), None, MS_BIND | MS_REC, None) != 0:
            return None
        return 'masked ' + closed
    finally:
        os.close(keep)


def can_import_as_sandbox_uid():
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(SANDBOX_UID)
            os.setuid(SANDBOX_UID)
            os.listdir(os.path.dirname(os.__file__))
            os.listdir(os.path.dirname(json.__file__))
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return status == 0


def read_exact(fd, n):
    chunks = []
    while n > 0:
        b = os.read(fd, n)
        if not b:
            return None
        chunks.append(b)
        n -= len(b)
    return b''.join(chunks)


def send(obj):
    data = json.dumps(obj).encode('utf-8')
    view = memoryview(struct.pack('>I', len(data)) + data)
    while view:
        view = view[os.write(RES_FD, view):]


class Folder:
    """The candidates' working folder: one per server, empty before each candidate.

    It lives in a folder of ours (mode 0711: a candidate can enter it, not list, rename or replace
    what is in it). After a run, if it holds nothing but the program file and its type, mode,
    owner, inode and extended attributes are as made, the file is removed and the folder is used
    again; otherwise (the candidate wrote, chmod-ed or tagged something) it is removed and a new
    one made, under a new name. The program file is created with O_EXCL | O_NOFOLLOW, so it never
    follows or reuses anything already there.
    """

    def __init__(self):
        self.root = None
        self.path = None
        self.made = 0
        self.program = None

    def fresh(self):
        if self.root is None:
            while True:
                root = os.path.join(TMP_ROOT, 'bonbench-py-' + os.urandom(6).hex())
                try:
                    os.mkdir(root, 0o700)
                    break
                except FileExistsError:
                    continue
            self.root = root
            os.chmod(self.root, 0o711)
        self.made += 1
        self.path = os.path.join(self.root, str(self.made))
        os.mkdir(self.path, 0o700)
        if SANDBOX_UID is not None:
            os.chown(self.path, SANDBOX_UID, SANDBOX_UID)
        self.program = os.path.join(self.path, 'candidate.py')
        self.identity = self.stat()

    def stat(self):
        st = os.lstat(self.path)
        try:
            xattrs = os.listxattr(self.path, follow_symlinks=False)
        except OSError:
            xattrs = None  # a file system without them: a candidate cannot set any either
        return (st.st_ino, st.st_dev, st.st_mode, st.st_uid, st.st_gid, xattrs)

    def write(self, program):
        if self.path is None:
            self.fresh()
        data = program.encode('utf-8')
        fd = os.open(self.program, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)

    def reset(self):
        """After a run (every process of the candidate gone): empty and as made, or replaced."""
        try:
            if self.stat() == self.identity:
                with os.scandir(self.path) as it:
                    entries = [(e.name, e.is_file(follow_symlinks=False)) for e in it]
                if entries == [('candidate.py', True)] or entries == []:
                    if entries:
                        os.unlink(self.program)
                    return
        except OSError:
            pass
        shutil.rmtree(self.path, ignore_errors=True)
        try:
            if os.path.lexists(self.path) or os.lstat(self.root).st_mode != 0o40711:
                self.root = None  # not ours to clean any more (the host is not root): start another
        except OSError:
            self.root = None
        self.path = None

    def remove(self):
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = self.path = None


folder = Folder()
environment = [None]


def environment_of(req):
    # The forker sets it (not the child: each os.environ change there copies pages), only when it
    # changes: None when the last one still holds.
    env = {'PATH': os.defpath if not req.get('path') else req['path'], 'HOME': folder.path, 'TMPDIR': folder.path,
           'LANG': 'C.UTF-8', 'PYTHONDONTWRITEBYTECODE': '1'}
    env.update(req.get('env') or {})
    if env == environment[0]:
        return None
    environment[0] = env
    return env


def deny_sockets():
    # Not OS isolation: only the socket module's constructors refuse (ctypes could still reach libc).
    def refuse(*args, **kwargs):
        raise PermissionError(1, 'network access is disabled in the bonbench sandbox')
    socket.socket.__init__ = refuse
    socket.create_connection = refuse
    socket.socketpair = refuse


def make_streams():
    """The sys.stdin/stdout/stderr python3 gives a script whose stdin is /dev/null and whose stdout and
    stderr are pipes, made once here on fds 0-2 pointed for a moment at /dev/null and a pipe, as a
    child's are (the objects keep what they saw then: pipes are neither seekable nor ttys, block
    size). Each child gets its own copy, never written to before; making them in each child cost it
    a quarter of a millisecond of page copies."""
    saved = [os.dup(fd) for fd in (0, 1, 2)]
    null = os.open(os.devnull, os.O_RDONLY)
    r, w = os.pipe()
    try:
        os.dup2(null, 0)
        os.dup2(w, 1)
        os.dup2(w, 2)
        return (open(0, 'r', closefd=False), open(1, 'w', encoding='utf-8', closefd=False),
                open(2, 'w', encoding='utf-8', errors='backslashreplace', buffering=1, closefd=False))
    finally:
        for fd, was in zip((0, 1, 2), saved):
            os.dup2(was, fd)
            os.close(was)
        for fd in (null, r, w):
            os.close(fd)


STREAMS = make_streams()
# The server's own streams stay referenced here: a child replaces sys.stdin/stdout/stderr, and were
# they freed there, their finalizers (close, flush) would run in every child (≈40 page copies).
SERVER_STREAMS = (sys.stdin, sys.stdout, sys.stderr)


def frame_depth():
    depth, f = 0, sys._getframe(1)
    while f is not None:
        depth, f = depth + 1, f.f_back
    return depth


def limits_of(req):
    # Worked out here, before the fork: in the child it would cost page copies.
    cpu = int(math.ceil(req['timeoutMs'] / 1000)) + 1
    limits = [(resource.RLIMIT_CPU, (cpu, cpu + 1)), (resource.RLIMIT_CORE, (0, 0)),
              (resource.RLIMIT_FSIZE, (req['fileLimit'], req['fileLimit']))]
    if SANDBOX_UID is not None:
        # Counted per uid: only meaningful for a uid of our own (and Linux ignores it for root).
        limits.append((resource.RLIMIT_NPROC, (req['maxProcesses'], req['maxProcesses'])))
    if req['memoryMb'] > 0:
        limits.append((resource.RLIMIT_AS, (req['memoryMb'] << 20, req['memoryMb'] << 20)))
    return limits


def read_program(path):
    # The file the server wrote, read as python3 reads a script (bytes: a coding cookie holds).
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b''.join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


class Forker:
    """The process that forks the candidates: a child of the server, forked once it is warm, whose
    loop is a few lines — receive a request and its three pipes, fork, report the pid, wait,
    report the status. The server does everything else (files, pipes, output, deadline, clean-up,
    answers) and never forks a candidate itself, so none of its pages is write-protected by a
    fork: only the pages this loop touches are copied on write, each candidate (≈60 page faults
    on the server's side instead of ≈220). Talks to the server over a SOCK_SEQPACKET pair: a request is a marshal-ed tuple with
    the pipes' write ends attached (SCM_RIGHTS); answers are b'P<pid>' and b'S<wait status>'."""

    def __init__(self, pid, chan):
        self.pid = pid
        self.chan = chan

    def start(self, limits, cwd, path, tests, nonce, env, fds):
        """Has a candidate forked; returns its pid (its own process group by then)."""
        try:
            self.chan.sendmsg([marshal.dumps((limits, cwd, path, tests, nonce, env))],
                              [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack('3i', *fds))])
        except OSError as e:
            raise ForkerGone('the forker died (%s)' % e)
        return self.answer(b'P')

    def answer(self, kind):
        """The pid (b'P') or the wait status (b'S') of the candidate; ForkerGone if the forker died."""
        try:
            msg = self.chan.recv(64)
        except OSError as e:
            raise ForkerGone('the forker died (%s)' % e)
        if not msg.startswith(kind):
            raise ForkerGone('the forker %s' % ('died' if not msg else 'answered %r' % msg[:16]))
        return int(msg[1:])

    def stop(self):
        try:
            os.kill(self.pid, SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        self.chan.close()
        forker[0] = None


class ForkerGone(Exception):
    pass


FDS = struct.calcsize('3i')


def start_forker(net, arm):
    server_end, forker_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    server = os.getpid()
    # Our frames under the candidate's (as in the child they are): this one, forker_loop's and
    # run_child's, and exec() (a level of its own).
    depth = frame_depth() + 3
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            server_end.close()
            _signal.signal(SIGTERM, _signal.SIG_DFL)
            set_pdeathsig(SIGKILL)
            if os.getppid() != server:
                os._exit(1)
            os.closerange(REQ_FD, RES_FD + 1)  # the host's protocol is the server's alone
            forker_loop(forker_end, depth, net, arm)
            code = 0
        except BaseException:
            traceback.print_exc()
        os._exit(code)
    forker_end.close()
    return Forker(pid, server_end)


def forker_loop(chan, depth, net, arm):
    space = socket.CMSG_SPACE(FDS)
    while True:
        msg, ancillary, _, _ = chan.recvmsg(1 << 20, space)
        if not msg:
            return
        (level, kind, data), = ancillary
        out_w, err_w, done_w = struct.unpack('3i', data[:FDS])
        limits, cwd, path, tests, nonce, env = marshal.loads(msg)
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        pid = os.fork()
        if pid == 0:
            run_child(limits, depth, cwd, path, tests, out_w, err_w, done_w, nonce, net, arm)
        try:
            os.setpgid(pid, pid)  # so the server may kill the group as soon as it has the pid
        except OSError:
            pass
        os.close(out_w)
        os.close(err_w)
        os.close(done_w)
        chan.send(b'P%d' % pid)
        chan.send(b'S%d' % os.waitpid(pid, 0)[1])


def run_child(limits, depth, cwd, path, tests, out_w, err_w, done_w, nonce, net, arm):
    """In the forked child: set the limits, drop privileges, run the candidate's code and then the
    tests; never returns.

    The tests are kept from the candidate (README, "What a candidate cannot reach"): they are not in
    its file (it holds the candidate's code only) but come here as a string; they are compiled
    before any code of the candidate runs and run after it, in globals of their own (a copy of the
    candidate's names, so they find its functions, with a copy of builtins taken before the
    candidate ran). The guard is armed before the candidate's first line: from then on nothing
    reaches a frame, so not this one (the token, the tests' globals) either."""
    code = 1
    write, exit_now = os.write, os._exit  # ours, whatever the candidate does to the os module
    try:
        os.setpgid(0, 0)
        null = os.open('/dev/null', os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.closerange(3, done_w)
        os.closerange(done_w + 1, 1 << 16)
        for which, value in limits:
            resource.setrlimit(which, value)
        os.chdir(cwd)
        if SANDBOX_UID is not None:
            os.setgroups([])
            os.setgid(SANDBOX_UID)
            os.setuid(SANDBOX_UID)
        set_pdeathsig(SIGKILL)  # after setuid, which clears it
        # _signal: signal.signal's enum conversions would cost page copies for nothing.
        _signal.signal(SIGTERM, _signal.SIG_DFL)
        _signal.signal(SIGINT, _signal.default_int_handler)
        _signal.signal(SIGPIPE, _signal.SIG_IGN)  # as python3 itself sets it
        if net == 'socket-patch':
            deny_sockets()
        sys.stdin = sys.__stdin__ = STREAMS[0]
        sys.stdout = sys.__stdout__ = STREAMS[1]
        sys.stderr = sys.__stderr__ = STREAMS[2]
        sys.argv = [path]
        sys.path[0:0] = [cwd]
        # Our own frames (counted by the server: walking them here costs page copies) are added, so the
        # candidate gets python3's 1000 frames of recursion.
        sys.setrecursionlimit(1000 + depth)
        # The candidate's module is __main__, as under python3 (not this server's module).
        main = type(sys)('__main__')
        scope = main.__dict__
        scope.update({'__file__': path, '__builtins__': builtins, '__cached__': None})
        sys.modules['__main__'] = main
        pristine = dict(builtins.__dict__)  # before the candidate can change builtins
        finished = False
        try:
            program = compile(read_program(path), path, 'exec')
            checks = compile(tests, TESTS_FILE, 'exec')
            tests = None
            tests_scope = {}
            arm(tests_scope)
            exec(program, scope)
            del program
            tests_scope.update(scope)
            tests_scope['__builtins__'] = pristine
            exec(checks, tests_scope)
            finished = True
            code = 0
        except SystemExit as e:
            # python3's own handling of the exit status; the run is still not a pass (see README).
            if e.code is None:
                code = 0
            elif isinstance(e.code, int):
                code = e.code & 0xFF
            else:
                print(e.code, file=sys.stderr)
                code = 1
        except BaseException as e:
            # What python3 does with an uncaught exception: sys.excepthook (the C printer, unless
            # the program replaced it), without our own frame.
            if e.__traceback__ is not None:
                e.__traceback__ = e.__traceback__.tb_next
            try:
                sys.excepthook(type(e), e, e.__traceback__)
            except BaseException:
                sys.__excepthook__(type(e), e, e.__traceback__)
            code = 1
        threading = sys.modules.get('threading')  # as python3 at exit: only if the program imported it
        if threading is not None:
            try:
                threading._shutdown()
            except BaseException:
                pass
        try:
            atexit._run_exitfuncs()
        except BaseException:
            pass
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                if code == 0:
                    code = 120  # python3's status when the final flush of stdout fails
                    finished = False
        if finished and code == 0:
            write(done_w, nonce)
    except BaseException as e:
        try:
            # Armed, the traceback module cannot read frames: then the exception alone.
            try:
                text = traceback.format_exc()
            except BaseException:
                text = 'bonbench fork server: %r\n' % (e,)
            write(2, text.encode('utf-8', 'replace'))
        except BaseException:
            pass
    exit_now(code)


def signal_name(num):
    try:
        return signal.Signals(num).name
    except ValueError:
        return str(num)


TEST_LINE = re.compile(r'^(  File "%s", line (\d+), in .*)$' % re.escape(TESTS_FILE), re.M)


def with_test_lines(stderr, tests):
    """A traceback through the tests, with their lines: the child's printer finds no file of them
    (there is none, so the candidate cannot read them), the server holds them. Done here, after the run."""
    if TESTS_FILE not in stderr:
        return stderr
    lines = tests.split('\n')

    def add(m):
        n = int(m.group(2))
        line = lines[n - 1].strip() if 0 < n <= len(lines) else ''
        return m.group(1) + ('\n    ' + line if line else '')
    return TEST_LINE.sub(add, stderr)


def run_one(req, net):
    started = time.monotonic()
    try:
        folder.write(req['candidate'])
        env = environment_of(req)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        done_r, done_w = os.pipe()
        nonce = os.urandom(16).hex().encode('ascii')
        try:
            pid = forker[0].start(limits_of(req), folder.path, folder.program, req['test'], nonce, env, (out_w, err_w, done_w))
        finally:
            for fd in (out_w, err_w, done_w):
                os.close(fd)
        current_child[0] = pid
        chan = forker[0].chan.fileno()
        limit = req['outputLimit']
        kept = {out_r: bytearray(), err_r: bytearray()}
        done = bytearray()
        dropped = 0
        open_fds = [out_r, err_r, done_r]
        deadline = started + req['timeoutMs'] / 1000
        status = None
        timed_out = False

        def read_ready(fds):
            nonlocal dropped
            for fd in fds:
                chunk = os.read(fd, 65536)
                if not chunk:
                    open_fds.remove(fd)
                elif fd == done_r:
                    done.extend(chunk[:64])
                else:
                    room = limit - len(kept[fd])
                    if room > 0:
                        kept[fd].extend(chunk[:room])
                    dropped += max(0, len(chunk) - max(room, 0))

        while status is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                kill_group(pid)
                status = forker[0].answer(b'S')
                break
            ready, _, _ = select.select(open_fds + [chan], [], [], remaining)
            read_ready([fd for fd in ready if fd != chan])
            if chan in ready:
                status = forker[0].answer(b'S')
        # Whatever is left of its group (a `sleep &`) or escaped it, then what the child wrote before it ended.
        clean_up_after(pid)
        while open_fds:
            ready, _, _ = select.select(open_fds, [], [], 0)
            if not ready:
                break
            read_ready(ready)
        for fd in (out_r, err_r, done_r):
            os.close(fd)
        current_child[0] = 0
        exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = signal_name(os.WTERMSIG(status)) if os.WIFSIGNALED(status) else None
        if sig == 'SIGXCPU':
            timed_out = True
        return {
            'id': req['id'], 'exitCode': exit_code, 'signal': sig, 'timedOut': timed_out,
            'completed': bytes(done) == nonce,
            'stdout': kept[out_r].decode('utf-8', 'replace'),
            'stderr': with_test_lines(kept[err_r].decode('utf-8', 'replace'), req['test']),
            'dropped': dropped, 'wallMs': (time.monotonic() - started) * 1000,
        }
    finally:
        folder.reset()


def main():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the host's business; it stops us itself
    signal.signal(signal.SIGTERM, on_term)
    set_pdeathsig(signal.SIGTERM)  # the host died: end the running candidate, then ourselves
    try:
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    except Exception:
        pass
    if os.getppid() == 1:
        return
    global SANDBOX_UID
    net = isolate_network()
    privileges = 'kept (the host is not root)' if SANDBOX_UID is None else 'dropped'
    if SANDBOX_UID is not None:
        stdlib = None
        try:
            stdlib = reach_stdlib()
        except Exception:
            pass
        if not stdlib or not can_import_as_sandbox_uid():
            privileges = 'kept: the stdlib is not readable by an unprivileged uid'
            SANDBOX_UID = None
        elif stdlib != 'open':
            privileges += ' (' + stdlib + ' by a mount namespace)'
    # Not dumpable (inherited by the forker and every candidate): no other process of the same uid
    # may read our memory (/proc/<pid>/mem, ptrace), which holds each candidate's token.
    try:
        prctl(PR_SET_DUMPABLE, 0)
    except Exception:
        pass
    arm = make_guard()
    send({'hello': True, 'pid': os.getpid(), 'network': net, 'uid': SANDBOX_UID, 'privileges': privileges,
          'python': sys.version.split()[0]})
    # Everything made so far stays: the collector leaves it alone from now on, so a collection in a
    # child does not touch (and copy) these pages.
    # The compiler sets itself up on its first use: here, once, not in every child (≈150 page copies).
    compile('x = 1', '<warm-up>', 'exec')
    gc.collect()
    gc.freeze()
    forker[0] = start_forker(net, arm)
    try:
        while True:
            header = read_exact(REQ_FD, 4)
            if header is None:
                return
            body = read_exact(REQ_FD, struct.unpack('>I', header)[0])
            if body is None:
                return
            send(run_one(json.loads(body), net))
    except ForkerGone as e:
        # A candidate killed its parent (only possible without a uid of its own): a breach. The
        # host sees us exit, fails that candidate and starts another server.
        os.write(2, ('bonbench fork server: %s\n' % e).encode())
        end(1)
    except BaseException:
        traceback.print_exc()
        end(1)
    end(0)


if __name__ == '__main__':
    main()
