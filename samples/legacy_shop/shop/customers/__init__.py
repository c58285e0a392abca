"""Customers: accounts, addresses, login, notes and loyalty points."""
