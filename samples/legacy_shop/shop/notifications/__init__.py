"""Notifications: transactional emails, newsletters and the notification log."""
