"""Reading corpus sources (library/sources.py): folders, zips, zip slip, bombs, encodings."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from workstation.domain.errors import InvalidInput, KnownError
from workstation.library import sources
from workstation.library.markdown import decode_law_file, parse_markdown
from workstation.library.sources import LawFile, iter_law_files

LAW = (
    "# 中华人民共和国测试法\n\n2021年1月22日 通过\n\n<!-- INFO END -->\n\n"
    "## 第一章 总则\n\n第一条 为了测试。\n"
)
FILES = {
    "行政法/测试法(2021-01-22).md": LAW.encode(),
    "行政法/_index.md": b"---\ntitle: x\n---\n",
    "法律法规模版.md": "# 模版\n".encode(),
    "DLC/浙江地方法规/地方性法规/浙江/条例.md": LAW.encode("gbk"),
    "刑法/刑法.MD": LAW.encode(),
    "刑法/说明.txt": b"not a law",
    ".git/HEAD.md": b"hidden",
    "__MACOSX/刑法/._刑法.md": b"\x00\x05\x16\x07",
}
EXPECTED = ["DLC/浙江地方法规/地方性法规/浙江/条例.md", "刑法/刑法.MD", "行政法/测试法(2021-01-22).md"]


def make_folder(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def make_zip(path: Path, files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return path


def read_all(path: Path) -> list[LawFile]:
    return list(iter_law_files(path))


# ============================================================================ folders


def test_folder_yields_law_files_sorted_and_skips_the_rest(tmp_path: Path) -> None:
    files = read_all(make_folder(tmp_path / "laws", FILES))
    assert [f.relative_path for f in files] == EXPECTED
    assert files[2] == LawFile("行政法/测试法(2021-01-22).md", LAW.encode())


def test_gbk_file_in_a_folder_is_decoded(tmp_path: Path) -> None:
    files = {f.relative_path: f.data for f in read_all(make_folder(tmp_path / "laws", FILES))}
    text, encoding = decode_law_file(files["DLC/浙江地方法规/地方性法规/浙江/条例.md"])
    assert (text, encoding) == (LAW, "gbk")
    law = parse_markdown(text, "DLC/浙江地方法规/地方性法规/浙江/条例.md")
    assert (law.title, law.region, len(law.articles)) == ("中华人民共和国测试法", "浙江", 1)


def test_oversized_folder_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_MEMBER_BYTES", 100)
    make_folder(tmp_path / "laws", {"行政法/大.md": b"x" * 101})
    with pytest.raises(InvalidInput, match=r"大\.md"):
        read_all(tmp_path / "laws")


def test_missing_path_and_other_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="找不到"):
        iter_law_files(tmp_path / "nowhere")
    other = tmp_path / "laws.rar"
    other.write_bytes(b"Rar!")
    with pytest.raises(InvalidInput, match="既不是文件夹"):
        iter_law_files(other)


# ============================================================================ zips


def test_zip_yields_the_same_files_as_the_folder(tmp_path: Path) -> None:
    folder = read_all(make_folder(tmp_path / "laws", FILES))
    zipped = read_all(make_zip(tmp_path / "laws.zip", FILES))
    assert zipped == folder


def test_zip_with_directory_entries_and_a_wrapper_folder(tmp_path: Path) -> None:
    path = tmp_path / "laws.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("laws/", b"")
        archive.writestr("laws/行政法/", b"")
        archive.writestr("laws/行政法/测试法.md", LAW)
    assert read_all(path) == [LawFile("laws/行政法/测试法.md", LAW.encode())]


def test_zip_names_written_in_gbk_by_windows_tools_are_read(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "laws.zip", {"placeholder__.md": LAW.encode()})
    raw = path.read_bytes()
    # Rewrite the name as GBK bytes without the UTF-8 flag, as Windows' zip tools do.
    gbk_name = "行政法/测试法.md".encode("gbk")
    assert len(gbk_name) == len(b"placeholder__.md")
    path.write_bytes(raw.replace(b"placeholder__.md", gbk_name))
    assert [f.relative_path for f in read_all(path)] == ["行政法/测试法.md"]


@pytest.mark.parametrize(
    "name", ["../evil.md", "行政法/../../evil.md", "/etc/evil.md", "C:/evil.md", "..\\evil.md"]
)
def test_zip_slip_names_are_refused(tmp_path: Path, name: str) -> None:
    path = make_zip(tmp_path / "evil.zip", {"行政法/好.md": LAW.encode(), name: LAW.encode()})
    with pytest.raises(InvalidInput) as info:
        iter_law_files(path)
    assert "不安全" in info.value.message
    assert info.value.advice
    assert isinstance(info.value, KnownError)


def test_a_compression_bomb_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "bomb.zip", {"行政法/好.md": LAW.encode(), "行政法/炸弹.md": b"\x00" * (5 << 20)}
    )
    with pytest.raises(InvalidInput) as info:
        iter_law_files(path)
    assert "压缩比" in info.value.message and "炸弹.md" in info.value.message


def test_a_huge_member_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "huge.zip", {"行政法/巨大.md": b" " * (sources.MAX_MEMBER_BYTES + 1)})
    with pytest.raises(InvalidInput) as info:
        iter_law_files(path)
    assert "过大" in info.value.message and "巨大.md" in info.value.message


def test_a_stored_member_is_not_a_bomb(tmp_path: Path) -> None:
    data = LAW.encode() * 30_000  # about 3 MB, stored without compression
    path = make_zip(tmp_path / "stored.zip", {"行政法/长.md": data}, compression=zipfile.ZIP_STORED)
    assert read_all(path) == [LawFile("行政法/长.md", data)]


def test_a_total_over_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_TOTAL_BYTES", len(LAW.encode()) * 2 + 10)
    path = make_zip(tmp_path / "many.zip", {f"行政法/法{i}.md": LAW.encode() for i in range(3)})
    with pytest.raises(InvalidInput, match="总大小"):
        iter_law_files(path)


def _lie_about_size(path: Path, declared: int) -> None:
    """Patch the uncompressed size in the local header and the central directory."""
    raw = bytearray(path.read_bytes())
    local = raw.find(b"PK\x03\x04")
    struct.pack_into("<I", raw, local + 22, declared)
    central = raw.find(b"PK\x01\x02")
    struct.pack_into("<I", raw, central + 24, declared)
    path.write_bytes(bytes(raw))


def test_a_member_larger_than_its_header_says_is_refused_while_reading(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "liar.zip", {"行政法/说谎.md": b"\x00" * 500_000})
    _lie_about_size(path, 1000)
    files = iter_law_files(path)  # the declared sizes look harmless
    with pytest.raises(InvalidInput) as info:
        list(files)
    assert "说谎.md" in info.value.message


def test_a_corrupt_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04 this is not a zip")
    with pytest.raises(InvalidInput, match="无法打开压缩包"):
        iter_law_files(path)


def test_gbk_member_of_a_zip_is_decoded(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "laws.zip", {"行政法/旧法.md": LAW.encode("gbk")})
    (law_file,) = read_all(path)
    assert decode_law_file(law_file.data) == (LAW, "gbk")
