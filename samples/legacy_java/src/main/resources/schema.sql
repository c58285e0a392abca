-- LegacyShop schema (PostgreSQL), as deployed. Hibernate ddl-auto is off.
CREATE TABLE categories (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMP NOT NULL, name VARCHAR(200) NOT NULL,
    parent_id BIGINT REFERENCES categories (id));
CREATE TABLE products (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMP NOT NULL, sku VARCHAR(40) NOT NULL UNIQUE,
    title VARCHAR(200), list_price NUMERIC(12, 2));
CREATE TABLE product_categories (product_id BIGINT NOT NULL REFERENCES products (id),
    category_id BIGINT NOT NULL REFERENCES categories (id), PRIMARY KEY (product_id, category_id));
CREATE TABLE stock_levels (sku VARCHAR(40) PRIMARY KEY, quantity INTEGER NOT NULL);
CREATE TABLE customers (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMP NOT NULL, email VARCHAR(200) NOT NULL,
    full_name VARCHAR(200), loyalty_points INTEGER NOT NULL DEFAULT 0);
CREATE TABLE addresses (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMP NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers (id), street VARCHAR(200), city VARCHAR(100),
    postal_code VARCHAR(20), country VARCHAR(2));
CREATE TABLE orders (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMP NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers (id), status VARCHAR(20) NOT NULL,
    total_amount NUMERIC(12, 2) NOT NULL, paid_at TIMESTAMP);
CREATE TABLE order_lines (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMP NOT NULL,
    order_id BIGINT NOT NULL REFERENCES orders (id), product_id BIGINT NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL, unit_price NUMERIC(12, 2) NOT NULL);
CREATE TABLE invoices (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMP NOT NULL,
    order_id BIGINT REFERENCES orders (id), number VARCHAR(30) NOT NULL, amount NUMERIC(12, 2), paid BOOLEAN);
CREATE TABLE payments (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMP NOT NULL,
    invoice_id BIGINT NOT NULL REFERENCES invoices (id), amount NUMERIC(12, 2), provider_ref VARCHAR(80));
CREATE TABLE shipments (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMP NOT NULL,
    order_id BIGINT NOT NULL REFERENCES orders (id), carrier VARCHAR(10), tracking_code VARCHAR(40),
    shipped_at TIMESTAMP);
CREATE TABLE shipping_rates (country VARCHAR(2) NOT NULL, carrier VARCHAR(2) NOT NULL,
    max_weight_grams INTEGER NOT NULL, price NUMERIC(10, 2) NOT NULL,
    PRIMARY KEY (country, carrier, max_weight_grams));
CREATE TABLE audit_log (id BIGSERIAL PRIMARY KEY, actor VARCHAR(40), action VARCHAR(200), subject_id BIGINT,
    created_at TIMESTAMP NOT NULL);
CREATE TABLE sales_daily (day DATE PRIMARY KEY, revenue NUMERIC(14, 2));
