"""Payments: PSP integration, captures, refunds and invoices."""
