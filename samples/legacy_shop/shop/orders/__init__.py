"""Orders: cart, checkout, order lifecycle. The heart of the shop (and of most bugs)."""
