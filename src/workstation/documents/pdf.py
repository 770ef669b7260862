"""Word → PDF through LibreOffice, many documents per process start.

One ``soffice --headless --convert-to pdf`` call converts every source (a start costs
1.4–1.8 s; each further document a fraction of that). The call runs with a private, freshly
made user profile (``-env:UserInstallation``), so a LibreOffice the officer has open on the
desktop, or a parallel conversion, neither blocks nor disturbs it. LibreOffice writes into a
hidden staging directory inside ``out_dir``; only when every PDF is checked (exists, non-empty,
starts with ``%PDF``) are they renamed into place, so ``out_dir`` never holds a half-written
PDF — on failure or timeout nothing is moved at all.

LibreOffice opens anything it cannot parse as plain text and "converts" it happily, so
.docx/.odt sources are checked first (a readable zip holding the document part): a corrupt
file is refused by name instead of turning into a PDF of garbage.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from workstation.domain.errors import KnownError

__all__ = ["ConversionFailed", "LibreOfficeMissing", "convert_to_pdf", "find_soffice"]

ENV_VAR = "WORKSTATION_SOFFICE"

_INSTALL_ADVICE = (
    "请安装 LibreOffice：Debian/Ubuntu 执行 `sudo apt-get install libreoffice-writer-nogui`；"
    "Windows 请从 https://www.libreoffice.org 下载安装 LibreOffice。"
    f"如已安装在非标准位置，可用环境变量 {ENV_VAR} 指定 soffice 程序的完整路径。"
)

# Parts a zip-based source must hold to be a document at all.
_REQUIRED_PART = {".docx": "word/document.xml", ".odt": "content.xml"}


class LibreOfficeMissing(KnownError):
    """No soffice program could be found."""

    code = "libreoffice_missing"


class ConversionFailed(KnownError):
    """LibreOffice could not convert one or more sources (or took too long)."""

    code = "conversion_failed"

    def __init__(self, message: str, advice: str = "", files: Sequence[Path] = ()) -> None:
        super().__init__(message, advice)
        self.files = tuple(files)


def _usual_locations() -> list[Path]:
    if sys.platform == "win32":
        roots = [os.environ.get(v, "") for v in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")]
        roots += [r"C:\Program Files", r"C:\Program Files (x86)"]
        return [Path(r) / "LibreOffice" / "program" / "soffice.exe" for r in roots if r]
    found = [
        Path("/usr/bin/soffice"),
        Path("/usr/local/bin/soffice"),
        Path("/usr/lib/libreoffice/program/soffice"),
        Path("/usr/lib64/libreoffice/program/soffice"),
        Path("/snap/bin/libreoffice"),
        Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
    ]
    found += sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True)
    return found


def _is_program(path: Path) -> bool:
    return path.is_file() and (sys.platform == "win32" or os.access(path, os.X_OK))


def find_soffice() -> Path | None:
    """The soffice program: $WORKSTATION_SOFFICE if set (and None if it names no program),
    else soffice/libreoffice on PATH, else the usual install locations."""
    override = os.environ.get(ENV_VAR)
    if override:
        candidate = Path(override).expanduser()
        return candidate if _is_program(candidate) else None
    for name in ("soffice", "libreoffice"):
        hit = shutil.which(name)
        if hit:
            return Path(hit)
    for candidate in _usual_locations():
        if _is_program(candidate):
            return candidate
    return None


def _require_soffice() -> Path:
    exe = find_soffice()
    if exe is not None:
        return exe
    override = os.environ.get(ENV_VAR)
    if override:
        message = f"环境变量 {ENV_VAR} 指定的 LibreOffice 程序不存在或不可执行：{override}"
    else:
        message = "未找到 LibreOffice（soffice），无法将文书转换为 PDF。"
    raise LibreOfficeMissing(message, _INSTALL_ADVICE)


def _names(paths: Sequence[Path]) -> str:
    return "、".join(p.name for p in paths)


def _check_source(source: Path) -> str | None:
    """Why the source cannot be converted, or None if it looks like a document."""
    if not source.is_file():
        return "文件不存在"
    required = _REQUIRED_PART.get(source.suffix.lower())
    if required is None:
        return None
    try:
        with zipfile.ZipFile(source) as archive:
            if required not in archive.namelist():
                return f"缺少 {required}，不是有效的文书文件"
            if archive.testzip() is not None:
                return "压缩包校验失败"
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return f"文件已损坏（{type(exc).__name__}）"
    return None


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(5) == b"%PDF-"
    except OSError:
        return False


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill soffice and everything it started (oosplash → soffice.bin)."""
    if sys.platform == "win32":
        subprocess.run(
            ["taskkill", "/F", "/T", "/PID", str(proc.pid)],
            capture_output=True,
            check=False,
        )
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    if proc.stdout is not None:
        proc.stdout.close()


def convert_to_pdf(sources: Sequence[Path], out_dir: Path, timeout_s: float = 180) -> list[Path]:
    """Convert every source in ONE LibreOffice run; return out_dir/<stem>.pdf in source order.

    All or nothing: a missing/corrupt source, a source LibreOffice could not turn into a PDF,
    or a run longer than ``timeout_s`` raises :class:`ConversionFailed` naming the file(s) and
    leaves ``out_dir`` as it was. No soffice → :class:`LibreOfficeMissing`.
    """
    sources = [Path(s) for s in sources]
    if not sources:
        return []
    stems = [s.stem for s in sources]
    clashes = sorted({stem for stem in stems if stems.count(stem) > 1})
    if clashes:
        raise ConversionFailed(
            f"多份文书同名，转换后的 PDF 会互相覆盖：{'、'.join(clashes)}",
            "请重命名后再转换。",
            [s for s in sources if s.stem in clashes],
        )
    bad = [(s, why) for s in sources if (why := _check_source(s)) is not None]
    if bad:
        raise ConversionFailed(
            "以下文书无法转换为 PDF：" + "；".join(f"{s.name}（{why}）" for s, why in bad),
            "请重新生成或替换这些文件后再试。",
            [s for s, _ in bad],
        )
    exe = _require_soffice()
    out_dir.mkdir(parents=True, exist_ok=True)

    profile = Path(tempfile.mkdtemp(prefix="workstation-lo-profile-"))
    inputs = Path(tempfile.mkdtemp(prefix="workstation-lo-in-"))
    staging = Path(tempfile.mkdtemp(prefix=".pdf-convert-", dir=out_dir))
    try:
        # Copies under neutral names: no clash, no odd characters on the command line.
        staged: list[Path] = []
        for i, source in enumerate(sources):
            copy = inputs / f"doc{i:04d}{source.suffix.lower()}"
            shutil.copyfile(source, copy)
            staged.append(copy)
        command = [
            str(exe),
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(staging),
            *[str(p) for p in staged],
        ]
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=sys.platform != "win32",
            creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
        )
        try:
            output, _ = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ConversionFailed(
                f"LibreOffice 转换超时（超过 {timeout_s:g} 秒），已终止：{_names(sources)}",
                "请关闭占用资源的程序后重试，或分批转换；文书过大时可延长超时时间。",
                sources,
            ) from None
        except BaseException:
            _kill_group(proc)
            raise

        produced = [staging / f"{p.stem}.pdf" for p in staged]
        failed = [
            src
            for src, pdf in zip(sources, produced, strict=True)
            if not (pdf.is_file() and pdf.stat().st_size > 0 and _is_pdf(pdf))
        ]
        if failed:
            detail = output.decode("utf-8", "replace").strip()[-500:]
            raise ConversionFailed(
                f"LibreOffice 未能将以下文书转换为 PDF：{_names(failed)}",
                "请检查文书能否用 Word/WPS 正常打开。" + (f"\nLibreOffice 输出：{detail}" if detail else ""),
                failed,
            )
        results: list[Path] = []
        for source, pdf in zip(sources, produced, strict=True):
            target = out_dir / f"{source.stem}.pdf"
            os.replace(pdf, target)
            results.append(target)
        return results
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(inputs, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)
