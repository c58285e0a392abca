# -*- coding: utf-8 -*-
"""Nightly stock sync from the old ERP (CSV over FTP). Python 2 only, runs on the old box.

Written by Marta in 2016. Lars: "do not touch, it works". Nobody has checked since 2019
whether the ERP still uploads anything.
"""
import csv
import ftplib
import StringIO

from shop import config
from shop.db import get_cursor

REMOTE_FILE = "/export/stock_levels.csv"


def fetch_csv():
    ftp = ftplib.FTP(config.ERP_FTP_HOST)
    ftp.login(config.ERP_FTP_USER, config.ERP_FTP_PASSWORD)
    buf = StringIO.StringIO()
    ftp.retrbinary("RETR " + REMOTE_FILE, buf.write)
    ftp.quit()
    buf.seek(0)
    return buf


def sync():
    rows = list(csv.DictReader(fetch_csv(), delimiter=";"))
    print "ERP sync: %d rows" % len(rows)
    updated = 0
    with get_cursor(commit=True) as cursor:
        for row in rows:
            try:
                cursor.execute(
                    "UPDATE stock_items SET quantity = %s "
                    "WHERE product_id = (SELECT id FROM products WHERE sku = %s) "
                    "AND warehouse_id = (SELECT id FROM warehouses WHERE code = %s)",
                    (int(row["qty"]), row["sku"], row["lager"]),
                )
                updated += cursor.rowcount
            except Exception, e:
                print >>sys.stderr, "skipping %r: %s" % (row, e)
    print "ERP sync: %d stock items updated" % updated
    return updated


if __name__ == "__main__":
    import sys
    sync()
