"""Catalog: products, categories, images, prices and search."""
