"""ShopCo web shop.

Started by Marta K. in 2016 as "the quick Flask prototype". Still running in 2024.
"""

__version__ = "3.14.2"

# NOTE(dave): do not import shop.app here, it creates the engine at import time
# and the celery workers blow up (see ticket OPS-311).
