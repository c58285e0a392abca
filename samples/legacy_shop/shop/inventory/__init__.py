"""Inventory: warehouses, stock levels, movements and reservations."""
