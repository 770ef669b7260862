"""Typed errors.

A :class:`KnownError` is something the user can act on (disk full, database
locked, invalid input …). It carries a message and advice in Chinese that the
UI and the CLI show as they are. Anything else that escapes is a bug and goes
to the crash dialog with the log tail.
"""

from __future__ import annotations

from pathlib import Path


class KnownError(Exception):
    """An error the user can act on; ``message`` and ``advice`` are Chinese."""

    code = "known_error"

    def __init__(self, message: str, advice: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.advice = advice

    def user_text(self) -> str:
        """The message and the advice as one text for a dialog or stderr."""
        if self.advice:
            return f"{self.message}\n{self.advice}"
        return self.message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "advice": self.advice}


class InvalidInput(KnownError):
    code = "invalid_input"


class DataDirError(KnownError):
    """The data directory cannot be created or written."""

    code = "data_dir"


class DiskFull(KnownError):
    code = "disk_full"

    def __init__(self, where: Path | str) -> None:
        super().__init__(
            f"磁盘空间已满，无法写入：{where}",
            "请清理磁盘空间（或将数据目录移到空间充足的磁盘），然后重试。已保存的数据不受影响。",
        )


class ReadOnlyLocation(DataDirError):
    code = "read_only"

    def __init__(self, where: Path | str) -> None:
        super().__init__(
            f"数据目录不可写：{where}",
            "请检查该目录的权限，或用 --data-dir 指定一个可写的目录。",
        )


class DatabaseLocked(KnownError):
    code = "database_locked"

    def __init__(self) -> None:
        super().__init__(
            "数据库正被其他程序占用，暂时无法写入。",
            "请稍后重试；如果一直如此，请关闭其他正在使用该数据目录的工作站程序。",
        )


class DatabaseCorrupt(KnownError):
    """The database file was damaged; it has been moved aside, never deleted."""

    code = "database_corrupt"

    def __init__(self, moved_to: Path, backups: list[Path]) -> None:
        self.moved_to = moved_to
        self.backups = backups
        if backups:
            restore = (
                f'可从最近的备份恢复：workstation db restore "{backups[0]}"；'
                f"备份目录中共有 {len(backups)} 个备份。"
            )
        else:
            restore = "没有找到本机备份；如已同步到省级平台，可在重新登录后从平台恢复。"
        super().__init__(
            f"数据库文件已损坏，已原样移至：{moved_to}（未删除任何数据）。",
            restore + "再次启动时将使用一个新的空数据库。",
        )


class DatabaseTooNew(KnownError):
    code = "database_too_new"

    def __init__(self, revision: str) -> None:
        self.revision = revision
        super().__init__(
            f"数据库由更新版本的工作站创建（结构版本 {revision}），当前程序无法使用。",
            "请升级工作站程序到最新版本后再打开；数据库未被改动。",
        )


class AlreadyRunning(KnownError):
    code = "already_running"

    def __init__(self, data_dir: Path) -> None:
        super().__init__(
            f"工作站已在运行（数据目录：{data_dir}）。",
            "请切换到已打开的窗口；如需同时运行两个实例，请用 --data-dir 指定另一个数据目录。",
        )


class BackupError(KnownError):
    code = "backup_failed"


class NotFound(KnownError):
    code = "not_found"


class FieldError(InvalidInput):
    """Invalid input in one named field, so a form can highlight it."""

    code = "invalid_field"

    def __init__(self, field: str, message: str, advice: str = "") -> None:
        super().__init__(message, advice)
        self.field = field

    def as_dict(self) -> dict[str, str]:
        return {**super().as_dict(), "field": self.field}
