"""Reporting and the staff admin: sales reports, exports, admin users, audit log."""
