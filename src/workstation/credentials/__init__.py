"""Credentials in the OS keyring (Secret Service, Windows Credential Manager, macOS Keychain)."""
