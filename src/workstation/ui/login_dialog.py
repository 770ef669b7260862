"""登录省级平台: server address, username and password.

The dialog does not close on 登录: it emits ``submitted`` and waits. The sync page runs the
login on the TaskRunner; a refusal is shown here in Chinese (:meth:`LoginDialog.show_error`)
and the dialog stays open; success closes it. The password is cleared once used and never
kept anywhere: the tokens the server returns go to the OS keyring through the sync client.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QWidget

from workstation.ui.forms.login_dialog_ui import Ui_LoginDialog


class LoginDialog(QDialog):
    submitted = Signal(str, str, str)

    def __init__(self, server_url: str = "", username: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_LoginDialog()
        self.ui.setupUi(self)
        self.ui.urlEdit.setText(server_url)
        self.ui.usernameEdit.setText(username)
        self.login_button.setText("登录")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self._connect_signals()
        (self.ui.passwordEdit if server_url and username else self.ui.urlEdit).setFocus()

    @property
    def login_button(self) -> QPushButton:
        button = self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        assert isinstance(button, QPushButton)
        return button

    def _connect_signals(self) -> None:
        self.ui.buttonBox.accepted.connect(self._on_button_box_accepted)
        self.ui.buttonBox.rejected.connect(self.reject)

    def _on_button_box_accepted(self) -> None:
        self.ui.errorLabel.setText("")
        self.set_busy(True)
        self.submitted.emit(self.ui.urlEdit.text(), self.ui.usernameEdit.text(), self.ui.passwordEdit.text())

    def set_busy(self, busy: bool) -> None:
        self.login_button.setEnabled(not busy)
        for edit in (self.ui.urlEdit, self.ui.usernameEdit, self.ui.passwordEdit):
            edit.setEnabled(not busy)
        if busy:
            self.ui.errorLabel.setText("正在登录…")

    def show_error(self, text: str) -> None:
        """The login was refused: say why, keep what was typed but the password."""
        self.set_busy(False)
        self.ui.passwordEdit.clear()
        self.ui.errorLabel.setText(text)
        self.ui.passwordEdit.setFocus()

    def error_text(self) -> str:
        return str(self.ui.errorLabel.text())

    def succeeded(self) -> None:
        self.ui.passwordEdit.clear()
        self.set_busy(False)
        self.accept()

    def done(self, result: int) -> None:
        self.ui.passwordEdit.clear()
        super().done(result)
