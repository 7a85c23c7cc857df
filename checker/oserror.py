"""Operating-system errors in the words a drafter reads: ``文件不存在`` rather than ``No such file or directory``."""

from __future__ import annotations

import errno

# errno -> Chinese reason; anything else falls back to a generic phrase plus the system's own text.
REASONS: dict[int, str] = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有操作权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中的某一级不是文件夹",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统是只读的",
    errno.EEXIST: "文件已存在",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EMFILE: "打开的文件过多",
    errno.EIO: "读写设备出错",
    errno.EINVAL: "路径或参数无效",
    errno.EBUSY: "文件正被占用",
    errno.EFBIG: "文件过大",
    errno.EPIPE: "输出管道已关闭",
}
# Windows reports some of these under its own codes (``winerror``); 32 is "used by another process".
WINDOWS_REASONS: dict[int, str] = {32: "文件正被其他程序占用（例如正在 Word 中打开）", 5: "没有访问权限"}


def describe(exc: BaseException) -> str:
    """One Chinese phrase for an OSError (and a plain text for anything else)."""
    if isinstance(exc, OSError):
        winerror = getattr(exc, "winerror", None)
        if winerror in WINDOWS_REASONS:
            return WINDOWS_REASONS[winerror]
        if exc.errno in REASONS:
            return REASONS[exc.errno]
        if exc.strerror:
            return f"系统错误（{exc.strerror}）"
    return f"系统错误（{exc}）"
