"""Enforcement documents: template filling, numbering, QR codes, PDF conversion, e-dossier."""
