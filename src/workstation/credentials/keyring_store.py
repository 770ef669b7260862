"""CredentialStore over the ``keyring`` package (imported on first use).

Tokens are kept only here, never in settings or the database. When the
system has no usable keyring the user is told so in Chinese; there is no
plaintext fallback.
"""

from __future__ import annotations

import logging

from workstation.domain.errors import KnownError

log = logging.getLogger(__name__)

SERVICE = "workstation"


class KeyringUnavailable(KnownError):
    code = "keyring_unavailable"

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"系统密钥环不可用，无法安全保存登录凭据（{detail}）。",
            "请在桌面会话中启用系统密钥环（如 GNOME Keyring / Windows 凭据管理器）后重试；"
            "工作站不会以明文保存凭据。",
        )


class KeyringCredentialStore:
    def __init__(self, service: str = SERVICE) -> None:
        self._service = service

    def backend_name(self) -> str:
        import keyring

        backend = keyring.get_keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def get(self, account: str) -> str | None:
        import keyring
        import keyring.errors

        try:
            return keyring.get_password(self._service, account)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(type(exc).__name__) from exc

    def set(self, account: str, secret: str) -> None:
        import keyring
        import keyring.errors

        try:
            keyring.set_password(self._service, account, secret)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(type(exc).__name__) from exc

    def delete(self, account: str) -> None:
        import keyring
        import keyring.errors

        try:
            keyring.delete_password(self._service, account)
        except keyring.errors.PasswordDeleteError:
            return
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(type(exc).__name__) from exc
