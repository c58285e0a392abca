"""Database engine and sessions. Everything goes through here (in theory)."""
import contextlib
import logging

from sqlalchemy import create_engine, text
from sqlalchemy.orm import scoped_session, sessionmaker

from shop import config

log = logging.getLogger(__name__)

engine = create_engine(
    config.DATABASE_URL,
    echo=config.SQL_ECHO,
    pool_size=config.DB_POOL_SIZE,
    pool_recycle=3600,
)

# Separate engine for the heavy reports so they don't lock the primary (Tom, 2020)
reporting_engine = create_engine(config.REPORTING_DATABASE_URL, pool_size=2)

Session = scoped_session(sessionmaker(bind=engine, autoflush=False))


def get_session():
    return Session()


def remove_session(exc=None):
    Session.remove()


@contextlib.contextmanager
def get_cursor(commit=False):
    """Raw DB-API cursor for the hand written SQL. Uses %s placeholders (psycopg2)."""
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        yield cursor
        if commit:
            conn.commit()
    except Exception:
        conn.rollback()
        raise
    finally:
        conn.close()


def execute_sql(sql, params=None, bind=None):
    """Run a text() query and return all rows as dicts."""
    bind = bind or engine
    with bind.connect() as conn:
        result = conn.execute(text(sql), params or {})
        if result.returns_rows:
            return [dict(row._mapping) for row in result]
        return []


def execute_write(sql, params=None):
    with engine.begin() as conn:
        result = conn.execute(text(sql), params or {})
        return result.rowcount


def init_app(app):
    app.teardown_appcontext(remove_session)
    log.info("database configured")


# DEPRECATED: used by the old admin before 2018, use get_session()
def get_db():
    return Session
