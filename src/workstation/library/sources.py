"""Reading the law files of a corpus: a folder or a .zip of Markdown files, safely.

A folder yields every ``*.md`` below it; a zip yields the same members. Hidden files and
folders, macOS metadata (``__MACOSX/``, ``._*``), the folders' ``_index.md`` and the
corpus template ``法律法规模版.md`` are skipped. Results are sorted by relative path.

A zip comes from outside, so it is checked before anything is read: member names must be
relative paths without ``..`` (zip slip), and members must not be decompression bombs
(see the limits below). Members are read with a size cap, so a header that lies about the
size cannot exhaust memory either. Violations raise :class:`InvalidInput`.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from workstation.domain.errors import InvalidInput

__all__ = [
    "EXCLUDED_NAMES",
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "MAX_TOTAL_BYTES",
    "RATIO_CHECK_BYTES",
    "LawFile",
    "iter_law_files",
]

#: Files that are not laws: a folder's front matter and the corpus template.
EXCLUDED_NAMES = frozenset({"_index.md", "法律法规模版.md"})
#: The largest law file accepted (the largest real one is under 1 MB).
MAX_MEMBER_BYTES = 50 * 1024 * 1024
#: The most a whole corpus may hold uncompressed (the real one is 47 MB).
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
#: Members larger than this must not compress better than :data:`MAX_RATIO` to 1.
RATIO_CHECK_BYTES = 1024 * 1024
MAX_RATIO = 100

_CHUNK = 64 * 1024
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_UNSAFE_ADVICE = "请确认压缩包来源可靠；如确为法规库，请解压检查后按文件夹导入，或重新打包后再试。"


@dataclass(frozen=True, slots=True)
class LawFile:
    """One law file: its path relative to the folder or zip root ('/'-separated) and its bytes."""

    relative_path: str
    data: bytes


def iter_law_files(path: Path) -> Iterator[LawFile]:
    """The law files of a folder or a .zip, sorted by relative path.

    The path is checked at once; a zip's names and declared sizes too, so a bad zip is
    refused before anything is yielded. Raises :class:`InvalidInput` (Chinese message).
    """
    if path.is_dir():
        return _iter_folder(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        members = _check_zip(path)
        return _iter_zip(path, members)
    if not path.exists():
        raise InvalidInput(f"找不到法规库：{path}", "请检查路径是否正确。")
    raise InvalidInput(
        f"无法读取法规库：{path} 既不是文件夹，也不是 .zip 压缩包。",
        "请选择存放 Markdown 法规文件（.md）的文件夹，或这样的文件夹打包成的 .zip。",
    )


def _is_law_name(relative_path: str) -> bool:
    parts = PurePosixPath(relative_path).parts
    if not parts or not parts[-1].lower().endswith(".md") or parts[-1] in EXCLUDED_NAMES:
        return False
    return not any(part.startswith(".") or part == "__MACOSX" for part in parts)


# ----------------------------------------------------------------------------- folders


def _iter_folder(root: Path) -> Iterator[LawFile]:
    found: list[tuple[str, Path]] = []
    for file in root.rglob("*"):
        relative = file.relative_to(root).as_posix()
        if _is_law_name(relative) and file.is_file():
            found.append((relative, file))
    found.sort()
    for relative, file in found:
        size = file.stat().st_size
        if size > MAX_MEMBER_BYTES:
            raise InvalidInput(
                f"文件“{relative}”过大（{_megabytes(size)}，上限 {_megabytes(MAX_MEMBER_BYTES)}），"
                "不像是法规文件。",
                "请把该文件移出法规库文件夹后重试。",
            )
        yield LawFile(relative, file.read_bytes())


# ----------------------------------------------------------------------------- zips


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name; names not flagged UTF-8 are tried as UTF-8, then GBK (Windows zips)."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def _is_unsafe(name: str) -> bool:
    normalized = name.replace("\\", "/")
    if "\x00" in normalized or normalized.startswith("/") or _DRIVE_RE.match(normalized):
        return True
    return ".." in normalized.split("/")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput(
            f"无法打开压缩包：{path}（{exc}）",
            "请确认文件是完整的 .zip 压缩包（可重新下载或重新打包），或解压后按文件夹导入。",
        ) from exc


def _check_zip(path: Path) -> list[tuple[str, zipfile.ZipInfo]]:
    """Validate names and declared sizes; return the law members sorted by name."""
    members: list[tuple[str, zipfile.ZipInfo]] = []
    total = 0
    with _open_zip(path) as archive:
        infos = archive.infolist()
    for info in infos:
        name = _member_name(info)
        if _is_unsafe(name):
            raise InvalidInput(
                f"压缩包中的文件名“{name}”不安全（绝对路径、盘符或“..”），已拒绝导入该压缩包。",
                _UNSAFE_ADVICE,
            )
        if info.is_dir() or not _is_law_name(name.replace("\\", "/")):
            continue
        _check_declared_size(name, info)
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise InvalidInput(
                f"压缩包解压后总大小超过上限 {_megabytes(MAX_TOTAL_BYTES)}（读到“{name}”时），"
                "可能是恶意构造的压缩包，已拒绝导入。",
                _UNSAFE_ADVICE,
            )
        members.append((name.replace("\\", "/"), info))
    members.sort(key=lambda member: member[0])
    return members


def _check_declared_size(name: str, info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_MEMBER_BYTES:
        raise InvalidInput(
            f"压缩包中的文件“{name}”解压后过大（{_megabytes(info.file_size)}，"
            f"上限 {_megabytes(MAX_MEMBER_BYTES)}），可能是恶意构造的压缩包，已拒绝导入。",
            _UNSAFE_ADVICE,
        )
    if info.file_size > RATIO_CHECK_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size / max(info.compress_size, 1)
        raise InvalidInput(
            f"压缩包中的文件“{name}”压缩比异常（约 {ratio:.0f} 倍，上限 {MAX_RATIO} 倍），"
            "可能是“压缩炸弹”，已拒绝导入。",
            _UNSAFE_ADVICE,
        )


def _read_member(archive: zipfile.ZipFile, name: str, info: zipfile.ZipInfo) -> bytes:
    """Read a member, never more than its declared size (itself capped)."""
    limit = min(info.file_size, MAX_MEMBER_BYTES)
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(min(_CHUNK, limit + 1 - size))
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise InvalidInput(
                        f"压缩包中的文件“{name}”实际大小超过声明的大小（{info.file_size} 字节），"
                        "压缩包可能已损坏或被恶意构造，已停止导入。",
                        _UNSAFE_ADVICE,
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise InvalidInput(
            f"压缩包中的文件“{name}”已损坏，无法读取（{exc}）。",
            "请重新下载或重新打包该压缩包，或解压后按文件夹导入。",
        ) from exc
    except (RuntimeError, NotImplementedError) as exc:  # encrypted, or an unknown compression
        raise InvalidInput(
            f"压缩包中的文件“{name}”已加密或使用了不支持的压缩方式，无法读取（{exc}）。",
            "请用不加密的普通 zip 格式重新打包，或解压后按文件夹导入。",
        ) from exc
    return b"".join(chunks)


def _iter_zip(path: Path, members: list[tuple[str, zipfile.ZipInfo]]) -> Iterator[LawFile]:
    total = 0
    with _open_zip(path) as archive:
        for name, info in members:
            data = _read_member(archive, name, info)
            total += len(data)
            if total > MAX_TOTAL_BYTES:  # unreachable unless sizes lie; kept as a guard
                raise InvalidInput(
                    f"压缩包解压后总大小超过上限 {_megabytes(MAX_TOTAL_BYTES)}，已停止导入。", _UNSAFE_ADVICE
                )
            yield LawFile(name, data)
