# -*- coding: utf-8 -*-
"""Monthly export for the accountants (DATEV-ish CSV). Python 2. Runs on the old cron box.

Marta wrote it in 2016, Tom added the refunds in 2019 (in Python 2, "to match").
Port to Python 3 before the old box dies. -- TODO since 2020
"""
import codecs
import csv
import datetime
import sys

from shop.db import get_cursor

EXPORT_SQL = """
    SELECT i.number, i.issued_at, i.total, i.tax_total, o.number, c.last_name, c.email,
           pay.provider, pay.provider_ref
    FROM invoices i
    JOIN orders o ON o.id = i.order_id
    JOIN customers c ON c.id = o.customer_id
    LEFT JOIN payments pay ON pay.order_id = o.id AND pay.status = 'captured'
    WHERE i.issued_at >= %s AND i.issued_at < %s
    ORDER BY i.number
"""

REFUND_SQL = """
    SELECT r.id, r.created_at, r.amount, o.number
    FROM refunds r JOIN orders o ON o.id = r.order_id
    WHERE r.status = 'completed' AND r.created_at >= %s AND r.created_at < %s
"""


def month_range(year, month):
    start = datetime.date(year, month, 1)
    if month == 12:
        end = datetime.date(year + 1, 1, 1)
    else:
        end = datetime.date(year, month + 1, 1)
    return start, end


def export(year, month, path):
    start, end = month_range(year, month)
    out = codecs.open(path, "w", "latin-1")
    writer = csv.writer(out, delimiter=";")
    count = 0
    with get_cursor() as cursor:
        cursor.execute(EXPORT_SQL, (start, end))
        for row in cursor.fetchall():
            writer.writerow([unicode(v).encode("latin-1", "replace") for v in row])
            count += 1
        cursor.execute(REFUND_SQL, (start, end))
        for row in cursor.fetchall():
            writer.writerow(["STORNO"] + [unicode(v) for v in row])
            count += 1
    out.close()
    print "exported %d rows to %s" % (count, path)
    return count


if __name__ == "__main__":
    try:
        year, month = int(sys.argv[1]), int(sys.argv[2])
        export(year, month, sys.argv[3])
    except Exception, e:
        print >>sys.stderr, "export failed: %s" % e
        sys.exit(1)
