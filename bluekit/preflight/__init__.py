"""Preflight of bluekit's print PDFs, as a print shop runs it: boxes against the A size, fonts,
colour spaces, total ink, small text in several inks, image resolution, the QR code's module and
quiet zone. Reads PDFs with pikepdf; may import `kit` (the brand's print rules) and below."""
