-- ShopCo database schema, SQLite dialect.
-- Dumped from production (PostgreSQL) in 2023 and hand-edited to run on SQLite for local
-- development. Keep in sync with shop/models.py and migrations/ (nobody does).
--
--   sqlite3 shop.db < schema.sql

PRAGMA foreign_keys = ON;

-- ------------------------------------------------------------------ catalog

CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (parent_id) REFERENCES categories (id)
);

CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL,
    sku TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT,
    price NUMERIC NOT NULL,
    sale_price NUMERIC,
    tax_class TEXT NOT NULL DEFAULT 'standard',
    weight_grams INTEGER NOT NULL DEFAULT 0,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (category_id) REFERENCES categories (id)
);

CREATE TABLE product_images (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    alt_text TEXT,
    position INTEGER DEFAULT 0,
    FOREIGN KEY (product_id) REFERENCES products (id)
);

-- ------------------------------------------------------------------ admin

CREATE TABLE admin_users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'staff',
    is_active INTEGER NOT NULL DEFAULT 1,
    last_login_at TIMESTAMP
);

-- ------------------------------------------------------------------ customers

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    first_name TEXT,
    last_name TEXT,
    phone TEXT,
    is_active INTEGER NOT NULL DEFAULT 1,
    newsletter_opt_in INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_login_at TIMESTAMP
);

CREATE TABLE addresses (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    kind TEXT NOT NULL DEFAULT 'shipping',
    line1 TEXT NOT NULL,
    line2 TEXT,
    city TEXT NOT NULL,
    postcode TEXT NOT NULL,
    country TEXT NOT NULL DEFAULT 'DE',
    is_default INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (customer_id) REFERENCES customers (id)
);

CREATE TABLE customer_notes (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    admin_user_id INTEGER,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (customer_id) REFERENCES customers (id),
    FOREIGN KEY (admin_user_id) REFERENCES admin_users (id)
);

CREATE TABLE loyalty_accounts (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL UNIQUE,
    points INTEGER NOT NULL DEFAULT 0,
    tier TEXT NOT NULL DEFAULT 'bronze',
    updated_at TIMESTAMP,
    FOREIGN KEY (customer_id) REFERENCES customers (id)
);

-- ------------------------------------------------------------------ orders

CREATE TABLE carts (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER,
    session_key TEXT,
    coupon_code TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP,
    FOREIGN KEY (customer_id) REFERENCES customers (id)
);

CREATE TABLE cart_items (
    id INTEGER PRIMARY KEY,
    cart_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL DEFAULT 1,
    unit_price NUMERIC NOT NULL,
    FOREIGN KEY (cart_id) REFERENCES carts (id),
    FOREIGN KEY (product_id) REFERENCES products (id)
);

CREATE TABLE coupons (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL DEFAULT 'percent',
    amount NUMERIC NOT NULL,
    min_order_total NUMERIC DEFAULT 0,
    valid_from TIMESTAMP,
    valid_until TIMESTAMP,
    max_uses INTEGER,
    times_used INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL,
    billing_address_id INTEGER,
    shipping_address_id INTEGER,
    status TEXT NOT NULL DEFAULT 'new',
    currency TEXT NOT NULL DEFAULT 'EUR',
    subtotal NUMERIC NOT NULL DEFAULT 0,
    discount_total NUMERIC NOT NULL DEFAULT 0,
    shipping_total NUMERIC NOT NULL DEFAULT 0,
    tax_total NUMERIC NOT NULL DEFAULT 0,
    grand_total NUMERIC NOT NULL DEFAULT 0,
    coupon_code TEXT,
    notes TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP,
    placed_at TIMESTAMP,
    FOREIGN KEY (customer_id) REFERENCES customers (id),
    FOREIGN KEY (billing_address_id) REFERENCES addresses (id),
    FOREIGN KEY (shipping_address_id) REFERENCES addresses (id)
);

CREATE TABLE order_lines (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price NUMERIC NOT NULL,
    tax_rate NUMERIC NOT NULL,
    line_total NUMERIC NOT NULL,
    FOREIGN KEY (order_id) REFERENCES orders (id),
    FOREIGN KEY (product_id) REFERENCES products (id)
);

-- ------------------------------------------------------------------ inventory

CREATE TABLE warehouses (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    city TEXT,
    country TEXT DEFAULT 'DE',
    is_active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE stock_items (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL,
    warehouse_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL DEFAULT 0,
    reserved INTEGER NOT NULL DEFAULT 0,
    reorder_level INTEGER NOT NULL DEFAULT 5,
    updated_at TIMESTAMP,
    UNIQUE (product_id, warehouse_id),
    FOREIGN KEY (product_id) REFERENCES products (id),
    FOREIGN KEY (warehouse_id) REFERENCES warehouses (id)
);

CREATE TABLE stock_movements (
    id INTEGER PRIMARY KEY,
    stock_item_id INTEGER NOT NULL,
    delta INTEGER NOT NULL,
    reason TEXT NOT NULL,
    order_id INTEGER,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (stock_item_id) REFERENCES stock_items (id),
    FOREIGN KEY (order_id) REFERENCES orders (id)
);

CREATE TABLE stock_reservations (
    id INTEGER PRIMARY KEY,
    stock_item_id INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    released_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (stock_item_id) REFERENCES stock_items (id),
    FOREIGN KEY (order_id) REFERENCES orders (id)
);

-- ------------------------------------------------------------------ payments

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL,
    provider TEXT NOT NULL DEFAULT 'payfast',
    provider_ref TEXT,
    method TEXT,
    amount NUMERIC NOT NULL,
    currency TEXT NOT NULL DEFAULT 'EUR',
    status TEXT NOT NULL DEFAULT 'pending',
    captured_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    raw_response TEXT,
    FOREIGN KEY (order_id) REFERENCES orders (id)
);

CREATE TABLE refunds (
    id INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    amount NUMERIC NOT NULL,
    reason TEXT,
    status TEXT NOT NULL DEFAULT 'requested',
    provider_ref TEXT,
    created_by INTEGER,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (payment_id) REFERENCES payments (id),
    FOREIGN KEY (order_id) REFERENCES orders (id),
    FOREIGN KEY (created_by) REFERENCES admin_users (id)
);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL,
    number TEXT NOT NULL UNIQUE,
    issued_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    total NUMERIC NOT NULL,
    tax_total NUMERIC NOT NULL,
    pdf_path TEXT,
    FOREIGN KEY (order_id) REFERENCES orders (id)
);

-- ------------------------------------------------------------------ shipping

CREATE TABLE carriers (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    tracking_url_template TEXT,
    base_rate NUMERIC NOT NULL,
    per_kg_rate NUMERIC NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE shipments (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL,
    carrier_id INTEGER NOT NULL,
    warehouse_id INTEGER,
    tracking_number TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    cost NUMERIC,
    shipped_at TIMESTAMP,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (order_id) REFERENCES orders (id),
    FOREIGN KEY (carrier_id) REFERENCES carriers (id),
    FOREIGN KEY (warehouse_id) REFERENCES warehouses (id)
);

CREATE TABLE shipment_events (
    id INTEGER PRIMARY KEY,
    shipment_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    location TEXT,
    description TEXT,
    occurred_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (shipment_id) REFERENCES shipments (id)
);

-- ------------------------------------------------------------------ notifications

CREATE TABLE email_templates (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    body_html TEXT,
    body_text TEXT,
    updated_at TIMESTAMP
);

CREATE TABLE notification_log (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER,
    order_id INTEGER,
    template_name TEXT,
    recipient TEXT NOT NULL,
    subject TEXT,
    status TEXT NOT NULL DEFAULT 'queued',
    error TEXT,
    sent_at TIMESTAMP,
    FOREIGN KEY (customer_id) REFERENCES customers (id),
    FOREIGN KEY (order_id) REFERENCES orders (id)
);

-- ------------------------------------------------------------------ reporting / admin

CREATE TABLE report_runs (
    id INTEGER PRIMARY KEY,
    report_name TEXT NOT NULL,
    run_date TIMESTAMP NOT NULL,
    status TEXT NOT NULL DEFAULT 'running',
    row_count INTEGER,
    file_path TEXT,
    started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    finished_at TIMESTAMP,
    requested_by INTEGER,
    FOREIGN KEY (requested_by) REFERENCES admin_users (id)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    admin_user_id INTEGER,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    details TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (admin_user_id) REFERENCES admin_users (id)
);

-- ------------------------------------------------------------------ abandoned

-- Gift cards, 2019. The checkout part was never finished; the table stayed.
CREATE TABLE gift_cards (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    initial_balance NUMERIC NOT NULL,
    balance NUMERIC NOT NULL,
    customer_id INTEGER,
    order_id INTEGER,
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (customer_id) REFERENCES customers (id),
    FOREIGN KEY (order_id) REFERENCES orders (id)
);

-- ------------------------------------------------------------------ indexes and views

CREATE INDEX idx_products_category ON products (category_id);
CREATE INDEX idx_orders_customer ON orders (customer_id);
CREATE INDEX idx_orders_status_created ON orders (status, created_at);
CREATE INDEX idx_order_lines_order ON order_lines (order_id);
CREATE INDEX idx_stock_items_product ON stock_items (product_id);
CREATE INDEX idx_payments_provider_ref ON payments (provider_ref);
CREATE INDEX idx_shipments_tracking ON shipments (tracking_number);
CREATE INDEX idx_notification_log_customer ON notification_log (customer_id);

CREATE VIEW v_order_summary AS
SELECT o.id AS order_id,
       o.number AS number,
       o.status AS status,
       o.grand_total AS grand_total,
       o.currency AS currency,
       o.created_at AS created_at,
       c.id AS customer_id,
       c.email AS email,
       c.first_name || ' ' || c.last_name AS customer_name,
       (SELECT COUNT(*) FROM order_lines ol WHERE ol.order_id = o.id) AS line_count
FROM orders o
JOIN customers c ON c.id = o.customer_id;

-- ------------------------------------------------------------------ data

INSERT INTO categories (id, parent_id, name, slug, position) VALUES
    (1, NULL, 'Kitchen', 'kitchen', 1),
    (2, 1, 'Coffee', 'coffee', 1),
    (3, 1, 'Knives', 'knives', 2),
    (4, NULL, 'Garden', 'garden', 2);

INSERT INTO products (id, category_id, sku, name, description, price, sale_price, tax_class, weight_grams, is_active, created_at) VALUES
    (1, 2, 'CAF-ESP-001', 'Espresso beans 1kg', 'Dark roast, Italian style', 18.90, NULL, 'reduced', 1000, 1, '2016-04-02 09:00:00'),
    (2, 2, 'CAF-MOK-002', 'Moka pot 6 cups', 'Aluminium stovetop pot', 29.90, 24.90, 'standard', 650, 1, '2016-04-02 09:00:00'),
    (3, 3, 'KNF-CHF-020', 'Chef knife 20cm', 'Forged steel', 79.00, NULL, 'standard', 300, 1, '2016-09-12 10:30:00'),
    (4, 4, 'GRD-HOS-025', 'Garden hose 25m', NULL, 34.50, NULL, 'standard', 3200, 1, '2017-03-01 08:15:00'),
    (5, 4, 'GRD-GNM-001', 'Garden gnome', 'Discontinued', 12.00, NULL, 'standard', 900, 0, '2016-05-20 12:00:00');

INSERT INTO product_images (id, product_id, url, alt_text, position) VALUES
    (1, 1, '/media/products/caf-esp-001.jpg', 'Espresso beans', 0),
    (2, 2, '/media/products/caf-mok-002.jpg', 'Moka pot', 0),
    (3, 3, '/media/products/knf-chf-020.jpg', 'Chef knife', 0);

INSERT INTO admin_users (id, username, email, password_hash, role, is_active, last_login_at) VALUES
    (1, 'marta', 'marta.kowalski@shopco.example.com', 'pbkdf2:sha256:150000$x$0000', 'owner', 0, '2019-02-28 17:00:00'),
    (2, 'tom', 'tom.becker@shopco.example.com', 'pbkdf2:sha256:150000$y$1111', 'finance', 1, '2024-03-01 08:12:00'),
    (3, 'warehouse', 'warehouse@shopco.example.com', 'pbkdf2:sha256:150000$z$2222', 'staff', 1, '2024-03-02 06:01:00');

INSERT INTO customers (id, email, password_hash, first_name, last_name, phone, is_active, newsletter_opt_in, created_at, last_login_at) VALUES
    (1, 'anna.schmidt@example.org', '5f4dcc3b5aa765d61d8327deb882cf99', 'Anna', 'Schmidt', NULL, 1, 1, '2016-04-03 10:00:00', '2016-05-01 09:00:00'),
    (2, 'jan.devries@example.org', 'pbkdf2:sha256:150000$a$3333', 'Jan', 'de Vries', '+31 6 1234', 1, 0, '2018-11-23 19:45:00', '2024-02-11 20:00:00'),
    (3, 'erik.larsson@example.org', 'pbkdf2:sha256:150000$b$4444', 'Erik', 'Larsson', NULL, 1, 1, '2021-06-01 07:30:00', '2024-01-05 12:00:00');

INSERT INTO addresses (id, customer_id, kind, line1, line2, city, postcode, country, is_default) VALUES
    (1, 1, 'shipping', 'Hauptstrasse 5', NULL, 'Berlin', '10115', 'DE', 1),
    (2, 2, 'shipping', 'Keizersgracht 100', '2e etage', 'Amsterdam', '1015 AA', 'NL', 1),
    (3, 2, 'billing', 'Postbus 12', NULL, 'Amsterdam', '1000 AA', 'NL', 1),
    (4, 3, 'shipping', 'Storgatan 1', NULL, 'Stockholm', '111 22', 'SE', 1);

INSERT INTO customer_notes (id, customer_id, admin_user_id, body, created_at) VALUES
    (1, 2, 3, 'Parcel lost by DPD, resent free of charge', '2019-12-20 11:00:00'),
    (2, 1, 1, 'Called about the moka pot gasket', '2017-02-14 15:20:00');

INSERT INTO loyalty_accounts (id, customer_id, points, tier, updated_at) VALUES
    (1, 1, 120, 'bronze', '2016-05-01 09:00:00'),
    (2, 2, 1450, 'silver', '2024-02-11 20:05:00'),
    (3, 3, 60, 'bronze', '2024-01-05 12:05:00');

INSERT INTO carts (id, customer_id, session_key, coupon_code, created_at, updated_at) VALUES
    (1, 3, 'c0ffee00c0ffee00c0ffee00c0ffee00', NULL, '2024-03-02 18:00:00', '2024-03-02 18:05:00'),
    (2, NULL, 'anon5a1e5a1e5a1e5a1e5a1e5a1e5a1e', 'SPRING10', '2024-03-03 09:00:00', NULL);

INSERT INTO cart_items (id, cart_id, product_id, quantity, unit_price) VALUES
    (1, 1, 3, 1, 79.00),
    (2, 2, 1, 2, 18.90);

INSERT INTO coupons (id, code, kind, amount, min_order_total, valid_from, valid_until, max_uses, times_used) VALUES
    (1, 'WELCOME5', 'fixed', 5.00, 25.00, '2016-04-01 00:00:00', NULL, NULL, 812),
    (2, 'SPRING10', 'percent', 10.00, 0, '2024-03-01 00:00:00', '2024-03-31 23:59:59', 1000, 37);

INSERT INTO orders (id, number, customer_id, billing_address_id, shipping_address_id, status, currency, subtotal, discount_total, shipping_total, tax_total, grand_total, coupon_code, notes, created_at, updated_at, placed_at) VALUES
    (1, 'SC-20160404-0042', 1, 1, 1, 'delivered', 'EUR', 48.80, 5.00, 4.95, 5.41, 54.16, 'WELCOME5', NULL, '2016-04-04 11:00:00', '2016-04-09 10:00:00', '2016-04-04 11:02:00'),
    (2, 'SC-20191201-1337', 2, 3, 2, 'refunded', 'EUR', 79.00, 0, 0, 15.01, 94.01, NULL, 'cancelled: customer request', '2019-12-01 20:10:00', '2019-12-03 09:00:00', '2019-12-01 20:11:00'),
    (3, 'SC-20240301-0815', 3, 4, 4, 'shipped', 'EUR', 34.50, 0, 4.95, 6.56, 46.01, NULL, NULL, '2024-03-01 08:15:00', '2024-03-02 07:00:00', '2024-03-01 08:16:00'),
    (4, 'SC-20240303-0999', 2, 3, 2, 'paid', 'EUR', 37.80, 0, 4.95, 2.65, 45.40, NULL, NULL, '2024-03-03 21:00:00', '2024-03-03 21:01:00', '2024-03-03 21:01:00');

INSERT INTO order_lines (id, order_id, product_id, sku, name, quantity, unit_price, tax_rate, line_total) VALUES
    (1, 1, 1, 'CAF-ESP-001', 'Espresso beans 1kg', 1, 18.90, 0.0700, 20.22),
    (2, 1, 2, 'CAF-MOK-002', 'Moka pot 6 cups', 1, 29.90, 0.1900, 35.58),
    (3, 2, 3, 'KNF-CHF-020', 'Chef knife 20cm', 1, 79.00, 0.1900, 94.01),
    (4, 3, 4, 'GRD-HOS-025', 'Garden hose 25m', 1, 34.50, 0.1900, 41.06),
    (5, 4, 1, 'CAF-ESP-001', 'Espresso beans 1kg', 2, 18.90, 0.0700, 40.45);

INSERT INTO warehouses (id, code, name, city, country, is_active) VALUES
    (1, 'BER1', 'Berlin Tempelhof', 'Berlin', 'DE', 1),
    (2, 'HAM1', 'Hamburg Hafen', 'Hamburg', 'DE', 1),
    (3, 'LEJ1', 'Leipzig (closed 2020)', 'Leipzig', 'DE', 0);

INSERT INTO stock_items (id, product_id, warehouse_id, quantity, reserved, reorder_level, updated_at) VALUES
    (1, 1, 1, 140, 2, 20, '2024-03-03 21:01:00'),
    (2, 2, 1, 12, 0, 5, '2024-02-20 10:00:00'),
    (3, 3, 1, 3, 0, 5, '2024-01-15 10:00:00'),
    (4, 4, 2, 25, 0, 5, '2024-03-02 07:00:00'),
    (5, 1, 2, 40, 0, 10, '2024-02-01 10:00:00');

INSERT INTO stock_movements (id, stock_item_id, delta, reason, order_id, created_at) VALUES
    (1, 1, 200, 'receipt', NULL, '2024-01-10 08:00:00'),
    (2, 3, -1, 'sale', 2, '2019-12-02 09:00:00'),
    (3, 3, 1, 'return', 2, '2019-12-10 09:00:00'),
    (4, 4, -1, 'sale', 3, '2024-03-02 07:00:00');

INSERT INTO stock_reservations (id, stock_item_id, order_id, quantity, expires_at, released_at, created_at) VALUES
    (1, 4, 3, 1, '2024-03-01 08:46:00', '2024-03-02 07:00:00', '2024-03-01 08:16:00'),
    (2, 1, 4, 2, '2024-03-03 21:31:00', NULL, '2024-03-03 21:01:00');

INSERT INTO payments (id, order_id, provider, provider_ref, method, amount, currency, status, captured_at, created_at, raw_response) VALUES
    (1, 1, 'paypal', 'PAY-7XK21', 'paypal', 54.16, 'EUR', 'captured', '2016-04-04 11:02:00', '2016-04-04 11:01:00', NULL),
    (2, 2, 'payfast', 'pf_pay_88231', 'card', 94.01, 'EUR', 'refunded', '2019-12-01 20:11:00', '2019-12-01 20:10:30', '{"status": "captured"}'),
    (3, 3, 'payfast', 'pf_pay_90412', 'card', 46.01, 'EUR', 'captured', '2024-03-01 08:16:00', '2024-03-01 08:15:30', '{"status": "captured"}'),
    (4, 4, 'payfast', 'pf_pay_90577', 'sepa', 45.40, 'EUR', 'captured', '2024-03-03 21:01:00', '2024-03-03 21:00:30', '{"status": "captured"}');

INSERT INTO refunds (id, payment_id, order_id, amount, reason, status, provider_ref, created_by, created_at) VALUES
    (1, 2, 2, 94.01, 'customer request', 'completed', 'pf_ref_1201', 2, '2019-12-03 09:00:00');

INSERT INTO invoices (id, order_id, number, issued_at, total, tax_total, pdf_path) VALUES
    (1, 1, 'INV-2016-000001', '2016-04-04 11:03:00', 54.16, 5.41, '/var/lib/shop/reports/invoices/INV-2016-000001.txt'),
    (2, 3, 'INV-2024-000311', '2024-03-01 08:17:00', 46.01, 6.56, '/var/lib/shop/reports/invoices/INV-2024-000311.txt'),
    (3, 4, 'INV-2024-000312', '2024-03-03 21:02:00', 45.40, 2.65, '/var/lib/shop/reports/invoices/INV-2024-000312.txt');

INSERT INTO carriers (id, code, name, tracking_url_template, base_rate, per_kg_rate, is_active) VALUES
    (1, 'DHL', 'DHL Paket', 'https://www.dhl.example.com/track?piece={number}', 3.90, 0.40, 1),
    (2, 'DPD', 'DPD Classic', 'https://tracking.dpd.example.com/parcel/{number}', 3.60, 0.55, 1),
    (3, 'GLS', 'GLS (contract ended 2019)', NULL, 4.10, 0.45, 0);

INSERT INTO shipments (id, order_id, carrier_id, warehouse_id, tracking_number, status, cost, shipped_at, delivered_at, created_at) VALUES
    (1, 1, 2, 1, 'DPD0A1B2C3D4E5F', 'delivered', 4.20, '2016-04-05 14:00:00', '2016-04-07 11:30:00', '2016-04-05 09:00:00'),
    (2, 3, 1, 2, 'DHL9Z8Y7X6W5V4U', 'in_transit', 7.80, '2024-03-02 07:00:00', NULL, '2024-03-01 15:00:00');

INSERT INTO shipment_events (id, shipment_id, status, location, description, occurred_at) VALUES
    (1, 1, 'created', 'Berlin', 'label printed', '2016-04-05 09:00:00'),
    (2, 1, 'delivered', 'Berlin', 'delivered to customer', '2016-04-07 11:30:00'),
    (3, 2, 'created', 'Hamburg', 'label printed', '2024-03-01 15:00:00'),
    (4, 2, 'shipped', 'Hamburg', 'handed over to carrier', '2024-03-02 07:00:00');

INSERT INTO email_templates (id, name, subject, body_html, body_text, updated_at) VALUES
    (1, 'welcome', 'Welcome to ShopCo, $first_name!', NULL, 'Hello $first_name, welcome aboard.', '2018-03-01 10:00:00'),
    (2, 'order_confirmation', 'Your order $number', '<p>Thanks, $first_name!</p>', 'Thanks for order $number ($total).', '2021-05-10 10:00:00'),
    (3, 'shipment_sent', 'Your order $number is on its way', NULL, 'Track it: $tracking_url', '2019-08-01 10:00:00');

INSERT INTO notification_log (id, customer_id, order_id, template_name, recipient, subject, status, error, sent_at) VALUES
    (1, 1, 1, 'order_confirmation', 'anna.schmidt@example.org', 'Your order SC-20160404-0042', 'sent', NULL, '2016-04-04 11:03:00'),
    (2, 2, 2, 'order_cancelled', 'jan.devries@example.org', 'Order SC-20191201-1337 cancelled', 'sent', NULL, '2019-12-03 09:01:00'),
    (3, 3, 3, 'shipment_sent', 'erik.larsson@example.org', 'Your order SC-20240301-0815 is on its way', 'failed', 'SMTP 421 try again later', NULL);

INSERT INTO report_runs (id, report_name, run_date, status, row_count, file_path, started_at, finished_at, requested_by) VALUES
    (1, 'daily_sales', '2024-03-02 00:00:00', 'done', 1, '/var/lib/shop/reports/2024/03/daily_sales-2024-03-02.csv', '2024-03-03 02:30:00', '2024-03-03 02:30:04', NULL),
    (2, 'stock_value', '2024-03-03 00:00:00', 'failed', NULL, NULL, '2024-03-03 05:00:00', '2024-03-03 05:00:01', 2);

INSERT INTO audit_log (id, admin_user_id, action, entity, entity_id, details, created_at) VALUES
    (1, 1, 'create', 'admin_user', 2, NULL, '2019-01-07 09:00:00'),
    (2, 2, 'refund', 'order', 2, 'full refund 94.01', '2019-12-03 09:00:00'),
    (3, 2, 'gdpr_erase', 'customer', 1, 'ticket GDPR-4', '2023-11-02 10:00:00');

INSERT INTO gift_cards (id, code, initial_balance, balance, customer_id, order_id, expires_at, created_at) VALUES
    (1, 'GC-TEST-0001', 50.00, 50.00, NULL, NULL, '2020-12-31 23:59:59', '2019-10-01 10:00:00'),
    (2, 'GC-TEST-0002', 25.00, 10.00, 2, 2, '2020-12-31 23:59:59', '2019-10-01 10:00:00');
